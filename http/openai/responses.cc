#include "http/openai/responses.h"

#include <algorithm>
#include <chrono>
#include <random>

#include <fmt/format.h>

#include "http/openai/errors.h"
#include "http/openai/logprobs.h"

namespace hfd::http::openai {
namespace {

std::string NewId(bool chat) {
  std::random_device device;
  std::mt19937_64 random(device());
  return fmt::format("{}-{:016x}{:08x}", chat ? "chatcmpl" : "cmpl", random(),
                     static_cast<std::uint32_t>(random()));
}

std::string Event(const nlohmann::json& data) {
  return "data: " + data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n";
}

nlohmann::json Usage(const serve::Completion& c) {
  return {{"prompt_tokens", c.prompt_tokens},
          {"completion_tokens", c.completion_tokens},
          {"total_tokens", c.prompt_tokens + c.completion_tokens},
          {"prompt_tokens_details", {{"cached_tokens", c.cached_tokens}}}};
}

}  // namespace

const char* FinishReason(const std::string& stop_reason) {
  return stop_reason == "length" || stop_reason == "context" ? "length" : "stop";
}

ResponseShape::ResponseShape(bool chat, std::string model, bool include_usage, bool logprobs)
    : chat_(chat),
      model_(std::move(model)),
      include_usage_(include_usage),
      id_(NewId(chat)),
      created_(std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count()),
      logprobs_(logprobs) {}

nlohmann::json ResponseShape::Logprobs(std::span<const runtime::TokenLogprobs> tokens) {
  if (!logprobs_) return nullptr;
  reported_tokens_ += tokens.size();
  return chat_ ? ChatLogprobs(tokens) : TextLogprobs(tokens, text_offset_);
}

nlohmann::json ResponseShape::Chunk(nlohmann::json choice) const {
  nlohmann::json chunk = {{"id", id_},
                          {"object", chat_ ? "chat.completion.chunk" : "text_completion"},
                          {"created", created_},
                          {"model", model_},
                          {"system_fingerprint", nullptr},
                          {"choices", nlohmann::json::array({std::move(choice)})}};
  if (include_usage_) chunk["usage"] = nullptr;
  return chunk;
}

std::string ResponseShape::TextEvent(std::string_view text,
                                     std::span<const runtime::TokenLogprobs> logprobs) {
  nlohmann::json choice = {
      {"index", 0}, {"logprobs", Logprobs(logprobs)}, {"finish_reason", nullptr}};
  if (chat_) {
    choice["delta"] = {{"content", std::string(text)}};
    if (!sent_role_) choice["delta"]["role"] = "assistant";
    sent_role_ = true;
  } else {
    choice["text"] = std::string(text);
  }
  return Event(Chunk(std::move(choice)));
}

std::string ResponseShape::ThinkingEvent(std::string_view thinking) {
  nlohmann::json choice = {{"index", 0},
                           {"delta", {{"reasoning_content", std::string(thinking)}}},
                           {"logprobs", nullptr},
                           {"finish_reason", nullptr}};
  if (!sent_role_) choice["delta"]["role"] = "assistant";
  sent_role_ = true;
  return Event(Chunk(std::move(choice)));
}

std::string ResponseShape::FinalEvents(const serve::Completion& c) {
  const auto rest = std::span(c.logprobs).subspan(std::min(reported_tokens_, c.logprobs.size()));
  nlohmann::json choice = {
      {"index", 0}, {"logprobs", Logprobs(rest)}, {"finish_reason", FinishReason(c.stop_reason)}};
  if (chat_) {
    choice["delta"] = nlohmann::json::object();
    if (!sent_role_) choice["delta"]["role"] = "assistant";
  } else {
    choice["text"] = "";
  }
  std::string out = Event(Chunk(std::move(choice)));
  if (include_usage_) {
    nlohmann::json usage = Chunk(nullptr);
    usage["choices"] = nlohmann::json::array();
    usage["usage"] = Usage(c);
    out += Event(usage);
  }
  return out + "data: [DONE]\n\n";
}

std::string ResponseShape::ErrorEvent(const Status& error) { return Event(ErrorJson(error)); }

nlohmann::json ResponseShape::Whole(const serve::Completion& c) {
  nlohmann::json choice = {{"index", 0},
                           {"logprobs", Logprobs(c.logprobs)},
                           {"finish_reason", FinishReason(c.stop_reason)}};
  if (chat_) {
    choice["message"] = {{"role", "assistant"}, {"content", c.text}, {"refusal", nullptr}};
    if (!c.thinking.empty()) choice["message"]["reasoning_content"] = c.thinking;
  } else {
    choice["text"] = c.text;
  }
  return {{"id", id_},
          {"object", chat_ ? "chat.completion" : "text_completion"},
          {"created", created_},
          {"model", model_},
          {"system_fingerprint", nullptr},
          {"choices", nlohmann::json::array({std::move(choice)})},
          {"usage", Usage(c)}};
}

}  // namespace hfd::http::openai
