// Turns Hub HTTP failures into Status values that tell the user what to do.
#pragma once

#include <optional>
#include <string>

#include "hfd/status.h"
#include "hub/http.h"
#include "hub/retry.h"

namespace hfd::hub {

// What a request was for, so errors can name it.
struct RequestSubject {
  std::string repo_id;
  std::string revision;
  std::string file;  // empty for API calls about the repo
  // Which token the request carried, as errors say it ("with the daemon's token (from
  // HF_TOKEN)", "without a token"); never the token itself.
  std::string token{};
};

// The Status for a non-2xx final response. 429, 408 and 5xx are Unavailable (retryable);
// 401/403 say which token was tried and explain tokens, licences and scopes; 404 uses X-Error-Code
// to say whether the repo, the revision or the file is missing.
Status StatusForHttpError(const HttpResponse& response, const RequestSubject& subject);

// True for failures worth another attempt: transport errors and retryable statuses.
bool IsRetryable(const Status& status);

// The server's Retry-After for a 429/503 response, if any.
std::optional<Millis> RetryAfterOf(const HttpResponse& response);

}  // namespace hfd::hub
