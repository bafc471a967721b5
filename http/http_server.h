// The HTTP server: libmicrohttpd, one thread per connection, fed connections this class
// accepts itself on the listeners (so each gets its level, from SO_PEERCRED on the Unix
// socket, before it is served, and the per-level caps can refuse it at once). Handlers
// run on the connection's thread and may block there; a streamed reply is read from its
// Exchange on that thread too.
//
// Limits: bodies over max_body_bytes get 413; a connection idle for header_timeout
// seconds before its request is complete (or between requests) is closed; connections
// over the caps are closed as soon as they are accepted. Requests carrying an Origin that
// is neither the listener's own nor one of cors_origins are refused (403): a web page
// elsewhere cannot make the browser pull or delete models through a local listener.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hfd/status.h"
#include "http/access.h"
#include "http/connection_caps.h"
#include "http/listeners.h"
#include "http/router.h"

struct MHD_Daemon;
struct MHD_Connection;

namespace hfd::http {

struct ServerOptions {
  std::size_t max_body_bytes = 8u << 20;
  unsigned header_timeout_seconds = 10;
  std::uint32_t max_connections = 512;
  std::uint32_t max_connections_per_level = 128;
  std::vector<std::string> cors_origins;
};

class HttpServer {
 public:
  // `access` must outlive the server.
  HttpServer(ServerOptions options, const HttpAccess* access, Router router);
  // Stops the server (Stop).
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Serves on `listeners` (owned from now on) until Stop.
  Status Start(std::vector<HttpListener> listeners);
  // Stops accepting, closes every connection (after the serving core has ended their
  // requests) and releases the listeners. Idempotent; any thread but a connection's.
  void Stop();
  // Connections open now, or one closed within the last seconds: the daemon's idle check
  // (once a second at most) then sees every short HTTP exchange.
  bool recently_active() const;

  struct Connection;  // what the server knows of one connection
  struct RequestState;

 private:
  void AcceptLoop();
  void Accept(const HttpListener& listener);
  // Routes a complete request and queues its reply; false closes the connection.
  bool Answer(MHD_Connection* connection, const char* url, const char* method, RequestState& state);
  bool Queue(MHD_Connection* connection, const Request& request, Reply reply);
  // The CORS headers for a request's Origin, or an error when it is not allowed.
  Result<std::vector<std::pair<std::string, std::string>>> CorsFor(const Request& request) const;

  friend struct MhdCallbacks;  // libmicrohttpd's callbacks, in http_server.cc

  const ServerOptions options_;
  const HttpAccess* access_;
  const Router router_;
  ConnectionCaps caps_;
  std::vector<HttpListener> listeners_;
  MHD_Daemon* daemon_ = nullptr;
  int stop_fd_ = -1;  // eventfd that wakes the accept thread to stop
  std::thread acceptor_;
  std::mutex mu_;
  std::map<int, std::shared_ptr<Connection>> accepted_;  // GUARDED_BY(mu_): fd → not yet started
  std::atomic<bool> stopped_{false};
  std::atomic<std::int64_t> last_closed_ms_{0};  // steady clock
};

}  // namespace hfd::http
