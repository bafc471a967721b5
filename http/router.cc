#include "http/router.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace hfd::http {

void Router::Add(std::string method, std::string path, Handler handler, RouteAccess access) {
  routes_.push_back({std::move(method), std::move(path), std::move(handler), access});
}

void Router::SetErrorShape(std::string prefix, ErrorShape shape) {
  shapes_.emplace_back(std::move(prefix), std::move(shape));
}

const Router::Route_* Router::Find(const std::string& method, const std::string& path) const {
  const std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;
  for (const Route_& route : routes_) {
    if (route.path == path && route.method == wanted) return &route;
  }
  return nullptr;
}

bool Router::OpenToAnyone(const std::string& method, const std::string& path) const {
  const Route_* route = Find(method, path);
  return route != nullptr && route->access == RouteAccess::kAnyone;
}

Reply Router::Route(const Request& request) const {
  if (const Route_* route = Find(request.method, request.path)) return route->handler(request);
  const bool path_known = std::any_of(routes_.begin(), routes_.end(),
                                      [&](const Route_& r) { return r.path == request.path; });
  if (path_known) {
    Reply reply = Error(request.path, InvalidArgument("method " + request.method +
                                                      " is not allowed on " + request.path));
    reply.status = 405;
    return reply;
  }
  return Error(request.path, NotFound("no such endpoint: " + request.method + " " + request.path +
                                      " (docs/http-api.md lists them)"));
}

Reply Router::Error(const std::string& path, const Status& error) const {
  const ErrorShape* best = nullptr;
  size_t best_length = 0;
  for (const auto& [prefix, shape] : shapes_) {
    if (path.compare(0, prefix.size(), prefix) == 0 &&
        (best == nullptr || prefix.size() > best_length)) {
      best = &shape;
      best_length = prefix.size();
    }
  }
  if (best != nullptr) return (*best)(error);
  return JsonReply(HttpStatusOf(error.code()), nlohmann::json{{"error", error.message()}}.dump());
}

int HttpStatusOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return 200;
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kUnsupported:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kTooLarge:
      return 413;
    case ErrorCode::kBusy:
      return 429;
    case ErrorCode::kCancelled:
      return 499;
    case ErrorCode::kUnavailable:
    case ErrorCode::kOutOfMemory:
      return 503;
    case ErrorCode::kDeadlineExceeded:
      return 504;
    case ErrorCode::kCorrupt:
    case ErrorCode::kIo:
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

}  // namespace hfd::http
