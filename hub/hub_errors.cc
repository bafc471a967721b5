#include "hub/hub_errors.h"

#include <nlohmann/json.hpp>

namespace hfd::hub {
namespace {

// The Hub's own explanation: X-Error-Message, else {"error": ...} in the body.
std::string ServerMessage(const HttpResponse& response) {
  std::string message = response.Header("x-error-message");
  if (message.empty() && !response.body.empty()) {
    const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
    if (body.is_object() && body.contains("error") && body["error"].is_string()) {
      message = body["error"].get<std::string>();
    }
  }
  if (message.size() > 300) message = message.substr(0, 300) + "...";
  return message.empty() ? "" : " (Hub: " + message + ")";
}

std::string What(const RequestSubject& s) {
  std::string out = "'" + s.repo_id + "'";
  if (!s.revision.empty()) out += " at revision '" + s.revision + "'";
  if (!s.file.empty()) out = "file '" + s.file + "' of " + out;
  return out;
}

constexpr const char* kTokenAdvice =
    "give a Hugging Face token that may read it: your own with `hfctl login` (or HF_TOKEN, or "
    "--token-file F), which hfctl sends with pull, run, chat and load, or the daemon's "
    "(hf_token in its config, its HF_TOKEN or token file); accept the model's licence on its "
    "Hub page, and check that the token has read scope";

// " with the daemon's token (from HF_TOKEN)": which token the refused request carried.
std::string TokenTried(const RequestSubject& s) { return s.token.empty() ? "" : " " + s.token; }

}  // namespace

Status StatusForHttpError(const HttpResponse& response, const RequestSubject& subject) {
  const long code = response.status;
  const std::string hub_code = response.Header("x-error-code");
  const std::string server = ServerMessage(response);
  const std::string http = " (HTTP " + std::to_string(code) + ")";
  if (hub_code == "RepoNotFound") {
    return NotFound("model repository '" + subject.repo_id + "' was not found" + http +
                    "; check the id, or if it is private " + kTokenAdvice + server);
  }
  if (hub_code == "RevisionNotFound") {
    return NotFound("revision '" + subject.revision + "' was not found in '" + subject.repo_id +
                    "'" + http + "; check the branch, tag or commit" + server);
  }
  if (hub_code == "EntryNotFound") {
    return NotFound("file '" + subject.file + "' was not found in '" + subject.repo_id +
                    "' at revision '" + subject.revision + "'" + http + server);
  }
  if (code == 401) {
    return Unauthenticated(
        "the Hub refused access to " + What(subject) + http + TokenTried(subject) +
        ": the repo is gated or private, or the token is not valid; " + kTokenAdvice + server);
  }
  if (code == 403) {
    return PermissionDenied("the Hub denied access to " + What(subject) + http +
                            TokenTried(subject) + ": that token is not allowed to read it; " +
                            kTokenAdvice + server);
  }
  if (code == 404) return NotFound(What(subject) + " was not found" + http + server);
  if (code == 429) return Unavailable("the Hub is rate limiting requests" + http + server);
  if (code == 408 || code >= 500) {
    return Unavailable("the Hub had a temporary failure for " + What(subject) + http + server);
  }
  if (code == 416) return Corrupt("the Hub rejected a resume Range for " + What(subject) + http);
  return InvalidArgument("unexpected response for " + What(subject) + http + server);
}

bool IsRetryable(const Status& status) { return status.code() == ErrorCode::kUnavailable; }

std::optional<Millis> RetryAfterOf(const HttpResponse& response) {
  const std::string value = response.Header("retry-after");
  if (value.empty()) return std::nullopt;
  return ParseRetryAfter(value);
}

}  // namespace hfd::hub
