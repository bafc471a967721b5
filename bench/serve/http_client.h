// The HTTP side of the serving benchmarks, with libcurl: a streamed chat completion timed
// by the client's clock as its server-sent events arrive, and GETs on a keep-alive
// connection. One client is one connection, reused across requests as an app's would be.
//
// Threading: one client per thread.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/serve/engine_run.h"
#include "hfd/status.h"

namespace hfd::bench {

// Where the daemon's HTTP door is: `base_url` ("http://127.0.0.1:PORT", or "http://hfd"
// with `unix_socket`, the socket's path).
struct HttpTarget {
  std::string base_url;
  std::string unix_socket;
};

class HttpClient {
 public:
  static Result<std::unique_ptr<HttpClient>> Create(HttpTarget target);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POST /v1/chat/completions with `body` streamed (stream and include_usage are set):
  // ttft from sending to the first content chunk, decode from the first to the last,
  // completion tokens from the usage chunk.
  Result<Run> StreamChat(nlohmann::json body);
  // GET `path`: an error unless the answer is 200.
  Status Get(const std::string& path);

 private:
  explicit HttpClient(HttpTarget target);
  // Performs the request set up on the handle; an error unless the answer is 200.
  Status Perform(const std::string& what);

  const HttpTarget target_;
  void* curl_ = nullptr;  // CURL*, kept so its connection is reused
};

// `clients` threads, each with its own connection, GET `path` back to back for `seconds`;
// requests answered per second, or the first failure.
Result<double> ClosedLoopGets(const HttpTarget& target, const std::string& path, int clients,
                              double seconds);

}  // namespace hfd::bench
