// OpenAI request bodies (POST /v1/chat/completions, POST /v1/completions) as serving-core
// requests. Fields hfd does not know are ignored, as OpenAI does; known ones with a wrong
// type or range are refused naming the field; what hfd cannot do (n > 1, images, echo)
// is refused with a message saying so.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "hfd/status.h"
#include "serve/service.h"

namespace hfd::http::openai {

struct ParsedCompletion {
  std::string model;
  serve::CompletionRequest request;  // target.model not yet resolved
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
};

Result<ParsedCompletion> ParseChatCompletion(const nlohmann::json& body);
Result<ParsedCompletion> ParseTextCompletion(const nlohmann::json& body);

}  // namespace hfd::http::openai
