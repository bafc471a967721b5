#include "http/openai/errors.h"

#include <nlohmann/json.hpp>

#include "http/router.h"

namespace hfd::http::openai {
namespace {

// OpenAI's `type` for each kind of failure.
const char* TypeOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kUnsupported:
    case ErrorCode::kNotFound:
    case ErrorCode::kTooLarge:
      return "invalid_request_error";
    case ErrorCode::kUnauthenticated:
      return "authentication_error";
    case ErrorCode::kPermissionDenied:
      return "permission_error";
    case ErrorCode::kBusy:
      return "rate_limit_error";
    default:
      return "server_error";
  }
}

}  // namespace

nlohmann::json ErrorJson(const Status& error) {
  return {{"error",
           {{"message", error.message()},
            {"type", TypeOf(error.code())},
            {"param", nullptr},
            {"code", std::string(ErrorCodeName(error.code()))}}}};
}

Reply ErrorReply(const Status& error) {
  Reply reply = JsonReply(HttpStatusOf(error.code()), ErrorJson(error).dump());
  // The queue frees as soon as a running request ends; a second is a fair first wait.
  if (error.code() == ErrorCode::kBusy) reply.headers.emplace_back("Retry-After", "1");
  return reply;
}

}  // namespace hfd::http::openai
