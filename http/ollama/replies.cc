#include "http/ollama/replies.h"

#include <chrono>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "http/router.h"

namespace hfd::http::ollama {
namespace {

std::int64_t Nanoseconds(double ms) { return static_cast<std::int64_t>(ms * 1e6); }

std::string FormatTime(std::chrono::system_clock::time_point t) {
  const auto since = t.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since);
  const std::time_t whole = seconds.count();
  std::tm utc{};
  gmtime_r(&whole, &utc);
  const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(since - seconds).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:09d}Z", utc, nanos);
}

}  // namespace

Reply ErrorReply(const Status& error) {
  Reply reply =
      JsonReply(HttpStatusOf(error.code()), nlohmann::json{{"error", error.message()}}.dump());
  if (error.code() == ErrorCode::kBusy) reply.headers.emplace_back("Retry-After", "1");
  return reply;
}

std::string Line(const nlohmann::json& object) {
  return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string Timestamp() { return FormatTime(std::chrono::system_clock::now()); }

std::string Timestamp(std::int64_t unix_seconds) {
  return FormatTime(std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds)));
}

nlohmann::json Piece(const std::string& model, bool chat, std::string_view text) {
  nlohmann::json out = {{"model", model}, {"created_at", Timestamp()}};
  if (chat) {
    out["message"] = {{"role", "assistant"}, {"content", std::string(text)}};
  } else {
    out["response"] = std::string(text);
  }
  out["done"] = false;
  return out;
}

void AddThinking(nlohmann::json& out, bool chat, const std::string& thinking) {
  (chat ? out["message"] : out)["thinking"] = thinking;
}

nlohmann::json ThinkingPiece(const std::string& model, bool chat, std::string_view thinking) {
  nlohmann::json out = Piece(model, chat, "");
  AddThinking(out, chat, std::string(thinking));
  return out;
}

nlohmann::json Final(const std::string& model, bool chat, const serve::Completion& c,
                     std::string_view text) {
  nlohmann::json out = Piece(model, chat, text);
  out["done"] = true;
  out["done_reason"] = c.stop_reason == "length" || c.stop_reason == "context" ? "length" : "stop";
  const int32_t prefilled = c.prompt_tokens - c.cached_tokens;
  const double prompt_ms =
      c.prompt_tokens_per_second > 0 ? prefilled * 1000.0 / c.prompt_tokens_per_second : 0;
  const double eval_ms =
      c.tokens_per_second > 0 ? c.completion_tokens * 1000.0 / c.tokens_per_second : 0;
  out["total_duration"] = Nanoseconds(c.total_ms);
  out["load_duration"] = Nanoseconds(c.load_ms);
  out["prompt_eval_count"] = c.prompt_tokens;
  out["prompt_eval_duration"] = Nanoseconds(prompt_ms);
  out["eval_count"] = c.completion_tokens;
  out["eval_duration"] = Nanoseconds(eval_ms);
  return out;
}

nlohmann::json Details(const std::string& quant) {
  return {{"parent_model", ""},  {"format", "gguf"},     {"family", ""},
          {"families", nullptr}, {"parameter_size", ""}, {"quantization_level", quant}};
}

}  // namespace hfd::http::ollama
