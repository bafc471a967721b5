// gpt-oss's "harmony" output: the model answers in messages, each
//   <|channel|>NAME<|message|>TEXT<|end|>   then <|start|>assistant<|channel|>...
// ending with <|return|> (or <|call|> for a tool call). The "analysis" channel holds its
// reasoning, "final" the answer for the user, "commentary" tool preambles. This splits the
// generated tokens into the answer and the rest ("thinking"), by the marker tokens' ids,
// so it works on the text the decoder gives with special tokens skipped.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace hfd::chat {

// The ids of harmony's marker tokens; -1 for one the vocabulary lacks.
struct HarmonyTokens {
  int32_t start = -1;    // <|start|>
  int32_t channel = -1;  // <|channel|>
  int32_t message = -1;  // <|message|>
  int32_t end = -1;      // <|end|>
};

// The markers by their vocabulary text (`token_id`: a tokenizer's lookup); nullopt when
// <|channel|> or <|message|> is missing: the model does not speak harmony.
std::optional<HarmonyTokens> FindHarmonyTokens(
    const std::function<std::optional<int32_t>(std::string_view)>& token_id);

// Splits one generation. Text before any marker, and text of a message without a channel,
// count as the answer (so a model that skips the analysis loses nothing). Not thread-safe;
// one per generation.
class HarmonyChannels {
 public:
  explicit HarmonyChannels(const HarmonyTokens& tokens) : tokens_(tokens) {}

  struct Split {
    std::string answer;    // text of the "final" channel
    std::string thinking;  // text of every other channel (analysis, commentary)
  };
  // Feeds one generated token and the text it added to the output (empty for markers).
  Split Push(int32_t token, std::string_view text);

 private:
  enum class State { kBody, kHeader, kChannelName };
  HarmonyTokens tokens_;
  State state_ = State::kBody;
  std::string channel_;  // the current message's channel; empty: none named
  bool final_ = true;    // whether the current message's text is the answer
};

}  // namespace hfd::chat
