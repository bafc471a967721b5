#include "engine/chat/harmony_channels.h"

namespace hfd::chat {
namespace {

// "final", or "final <|constrain|>json"-style headers: the first word names the channel.
bool IsFinalChannel(std::string_view header) {
  const size_t begin = header.find_first_not_of(" \t\n");
  if (begin == std::string_view::npos) return true;  // no name: an unlabelled answer
  header.remove_prefix(begin);
  return header.substr(0, header.find_first_of(" \t\n")) == "final";
}

}  // namespace

std::optional<HarmonyTokens> FindHarmonyTokens(
    const std::function<std::optional<int32_t>(std::string_view)>& token_id) {
  HarmonyTokens t;
  const std::optional<int32_t> channel = token_id("<|channel|>");
  const std::optional<int32_t> message = token_id("<|message|>");
  if (!channel || !message) return std::nullopt;
  t.channel = *channel;
  t.message = *message;
  t.start = token_id("<|start|>").value_or(-1);
  t.end = token_id("<|end|>").value_or(-1);
  return t;
}

HarmonyChannels::Split HarmonyChannels::Push(int32_t token, std::string_view text) {
  Split out;
  if (token == tokens_.channel) {
    state_ = State::kChannelName;
    channel_.clear();
  } else if (token == tokens_.message) {
    state_ = State::kBody;
    final_ = IsFinalChannel(channel_);
    channel_.clear();
  } else if (token == tokens_.start || token == tokens_.end) {
    state_ = State::kHeader;  // the role ("assistant") and header until the next marker
    channel_.clear();
  } else if (state_ == State::kChannelName) {
    channel_ += text;
  } else if (state_ == State::kBody) {
    (final_ ? out.answer : out.thinking) += text;
  }
  return out;
}

}  // namespace hfd::chat
