#include "http/openai/requests.h"

#include "engine/runtime/top_logits.h"
#include "http/completion_call.h"
#include "proto/params.h"

namespace hfd::http::openai {
namespace {

// OpenAI's sampling defaults: temperature 1 and top_p 1, no top_k or min_p, no length cap
// but the context for chat.
sampling::SamplingParams OpenAiDefaults() {
  sampling::SamplingParams p;
  p.temperature = 1.0f;
  p.top_p = 1.0f;
  p.top_k = 0;
  p.min_p = 0.0f;
  p.max_tokens = -1;
  return p;
}

Status SetFloat(const nlohmann::json& body, const char* name, float lo, float hi, float& out) {
  HFD_ASSIGN_OR_RETURN(std::optional<double> v, proto::OptionalNumber(body, name));
  if (!v) return Status::Ok();
  if (*v < lo || *v > hi) {
    return InvalidArgument("'" + std::string(name) + "' must be between " + std::to_string(lo) +
                           " and " + std::to_string(hi));
  }
  out = static_cast<float>(*v);
  return Status::Ok();
}

Result<std::vector<std::string>> StopList(const nlohmann::json& body) {
  auto it = body.find("stop");
  if (it == body.end() || it->is_null()) return std::vector<std::string>();
  if (it->is_string()) return std::vector<std::string>{it->get<std::string>()};
  std::vector<std::string> out;
  if (it->is_array()) {
    for (const nlohmann::json& s : *it) {
      if (!s.is_string()) break;
      out.push_back(s.get<std::string>());
    }
    if (out.size() == it->size()) return out;
  }
  return InvalidArgument("'stop' must be a string or an array of strings");
}

// top_logprobs / legacy logprobs: 0 to kMaxTopLogits alternatives per token.
Result<std::optional<int32_t>> AlternativesCount(const nlohmann::json& body, const char* name) {
  HFD_ASSIGN_OR_RETURN(std::optional<std::int64_t> n, proto::OptionalInt(body, name));
  if (n && (*n < 0 || *n > runtime::kMaxTopLogits)) {
    return InvalidArgument("'" + std::string(name) + "' must be an integer from 0 to " +
                           std::to_string(runtime::kMaxTopLogits));
  }
  if (!n) return std::optional<int32_t>();
  return std::optional<int32_t>(static_cast<int32_t>(*n));
}

// The fields both endpoints share: model, stream, sampling, n.
Result<ParsedCompletion> ParseCommon(const nlohmann::json& body, int32_t default_max_tokens) {
  ParsedCompletion out;
  HFD_ASSIGN_OR_RETURN(out.model, proto::RequiredString(body, "model", 4096));
  if (out.model.empty()) return InvalidArgument("'model' is empty");
  HFD_ASSIGN_OR_RETURN(std::optional<bool> stream, proto::OptionalBool(body, "stream"));
  out.stream = stream.value_or(false);
  if (auto options = body.find("stream_options"); options != body.end() && !options->is_null()) {
    if (!options->is_object()) return InvalidArgument("'stream_options' must be an object");
    HFD_ASSIGN_OR_RETURN(std::optional<bool> usage, proto::OptionalBool(*options, "include_usage"));
    out.include_usage = usage.value_or(false);
  }
  HFD_ASSIGN_OR_RETURN(std::optional<std::int64_t> n, proto::OptionalInt(body, "n"));
  if (n && *n != 1) {
    return InvalidArgument("'n' must be 1: hfd generates one choice per request; send " +
                           std::to_string(*n) + " requests instead");
  }
  sampling::SamplingParams& p = out.request.sampling;
  p = OpenAiDefaults();
  p.max_tokens = default_max_tokens;
  for (const char* name : {"max_tokens", "max_completion_tokens"}) {
    HFD_ASSIGN_OR_RETURN(std::optional<std::int64_t> max, proto::OptionalInt(body, name));
    if (!max) continue;
    if (*max < 1 || *max > INT32_MAX) {
      return InvalidArgument("'" + std::string(name) + "' must be a positive integer");
    }
    p.max_tokens = static_cast<int32_t>(*max);
  }
  HFD_RETURN_IF_ERROR(SetFloat(body, "temperature", 0, 2, p.temperature));
  HFD_RETURN_IF_ERROR(SetFloat(body, "top_p", 0, 1, p.top_p));
  if (p.top_p == 0) p.top_p = 1e-6f;  // OpenAI allows 0: only the most likely token
  HFD_RETURN_IF_ERROR(SetFloat(body, "presence_penalty", -2, 2, p.presence_penalty));
  HFD_RETURN_IF_ERROR(SetFloat(body, "frequency_penalty", -2, 2, p.frequency_penalty));
  HFD_ASSIGN_OR_RETURN(std::optional<std::int64_t> seed, proto::OptionalInt(body, "seed"));
  if (seed) p.seed = static_cast<std::uint64_t>(*seed);
  HFD_ASSIGN_OR_RETURN(p.stop, StopList(body));
  HFD_RETURN_IF_ERROR(sampling::Validate(p));
  return out;
}

// A message's content: a string, or text parts [{type: "text", text}].
Result<std::string> ContentText(const nlohmann::json& content, size_t index) {
  const std::string where = "messages[" + std::to_string(index) + "].content";
  if (content.is_null()) return std::string();
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array()) return InvalidArgument("'" + where + "' must be a string or parts");
  std::string text;
  for (const nlohmann::json& part : content) {
    if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") ||
        !part["text"].is_string()) {
      return InvalidArgument("'" + where +
                             "': only text parts ({\"type\": \"text\", \"text\": ...}) are "
                             "supported");
    }
    text += part["text"].get<std::string>();
  }
  return text;
}

}  // namespace

Result<ParsedCompletion> ParseChatCompletion(const nlohmann::json& body) {
  HFD_ASSIGN_OR_RETURN(ParsedCompletion out, ParseCommon(body, -1));
  out.request.chat = true;
  HFD_ASSIGN_OR_RETURN(std::optional<bool> logprobs, proto::OptionalBool(body, "logprobs"));
  HFD_ASSIGN_OR_RETURN(std::optional<int32_t> top, AlternativesCount(body, "top_logprobs"));
  if (top && !logprobs.value_or(false)) {
    return InvalidArgument("'top_logprobs' needs 'logprobs' set to true");
  }
  if (logprobs.value_or(false)) out.request.top_logprobs = top.value_or(0);
  HFD_ASSIGN_OR_RETURN(std::optional<std::string> effort,
                       proto::OptionalString(body, "reasoning_effort", 64));
  if (effort) HFD_RETURN_IF_ERROR(SetReasoningEffort(*effort, "reasoning_effort", out.request));
  auto messages = body.find("messages");
  if (messages == body.end() || !messages->is_array() || messages->empty()) {
    return InvalidArgument("'messages' must be a non-empty array of {role, content}");
  }
  for (size_t i = 0; i < messages->size(); ++i) {
    const nlohmann::json& m = (*messages)[i];
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string()) {
      return InvalidArgument("'messages[" + std::to_string(i) + "]' needs a string 'role'");
    }
    std::string role = m["role"].get<std::string>();
    if (role == "developer") role = "system";  // OpenAI's newer name for system prompts
    if (role != "system" && role != "user" && role != "assistant") {
      return InvalidArgument("'messages[" + std::to_string(i) + "].role' must be system, user " +
                             "or assistant, not '" + role + "'");
    }
    HFD_ASSIGN_OR_RETURN(std::string content,
                         ContentText(m.contains("content") ? m["content"] : nlohmann::json(), i));
    out.request.messages.push_back({{"role", role}, {"content", content}});
  }
  return out;
}

Result<ParsedCompletion> ParseTextCompletion(const nlohmann::json& body) {
  // OpenAI's legacy endpoint stops at 16 tokens unless told otherwise.
  HFD_ASSIGN_OR_RETURN(ParsedCompletion out, ParseCommon(body, 16));
  // Legacy logprobs is the number of alternatives (OpenAI takes up to 5).
  HFD_ASSIGN_OR_RETURN(out.request.top_logprobs, AlternativesCount(body, "logprobs"));
  auto prompt = body.find("prompt");
  if (prompt != body.end() && prompt->is_array() && prompt->size() == 1 &&
      (*prompt)[0].is_string()) {
    out.request.prompt = (*prompt)[0].get<std::string>();
  } else if (prompt != body.end() && prompt->is_string()) {
    out.request.prompt = prompt->get<std::string>();
  } else {
    return InvalidArgument(
        "'prompt' must be a string (or a list of one string; token arrays are not supported)");
  }
  HFD_ASSIGN_OR_RETURN(std::optional<bool> echo, proto::OptionalBool(body, "echo"));
  if (echo.value_or(false)) return InvalidArgument("'echo' is not supported by hfd");
  if (auto suffix = body.find("suffix"); suffix != body.end() && !suffix->is_null()) {
    return InvalidArgument("'suffix' (fill in the middle) is not supported by hfd");
  }
  return out;
}

}  // namespace hfd::http::openai
