// Which handler answers a request: exact method and path, and for each API prefix the
// shape its errors take (OpenAI's {"error": {...}} under /v1, Ollama's {"error": "..."}
// under /api), so that even an unknown path or a refused request answers the way that
// API's clients expect.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "hfd/status.h"
#include "http/message.h"

namespace hfd::http {

using Handler = std::function<Reply(const Request&)>;
// Who may reach a route. kCaller: a request whose caller is known (on a TCP listener with
// API keys, one with a valid key). kAnyone: static files that hold no data (the chat
// page), served before any key is asked for, since a browser cannot send a key to load
// the page that asks for it.
enum class RouteAccess { kCaller, kAnyone };
// An error reply in an API's shape.
using ErrorShape = std::function<Reply(const Status& error)>;

class Router {
 public:
  // A HEAD request is answered by the GET route of its path (without the body).
  void Add(std::string method, std::string path, Handler handler,
           RouteAccess access = RouteAccess::kCaller);
  // Errors for paths starting with `prefix` (the longest matching prefix wins; "" is the
  // default).
  void SetErrorShape(std::string prefix, ErrorShape shape);

  Reply Route(const Request& request) const;
  // True when the route that answers `method` `path` is open to anyone.
  bool OpenToAnyone(const std::string& method, const std::string& path) const;
  Reply Error(const std::string& path, const Status& error) const;

 private:
  struct Route_ {
    std::string method, path;
    Handler handler;
    RouteAccess access;
  };
  const Route_* Find(const std::string& method, const std::string& path) const;
  std::vector<Route_> routes_;
  std::vector<std::pair<std::string, ErrorShape>> shapes_;
};

// The HTTP status for an error code: 400 bad input, 401, 403, 404, 413, 429 busy, ...
int HttpStatusOf(ErrorCode code);

}  // namespace hfd::http
