// OpenAI's error shape: {"error": {"message", "type", "param", "code"}} with the HTTP
// status OpenAI's clients act on (400, 401, 403, 404, 413, 429 with Retry-After, 5xx).
#pragma once

#include <nlohmann/json.hpp>

#include "hfd/status.h"
#include "http/message.h"

namespace hfd::http::openai {

Reply ErrorReply(const Status& error);
// The error object alone, as a stream that already began reports a late failure.
nlohmann::json ErrorJson(const Status& error);

}  // namespace hfd::http::openai
