#include "http/http_server.h"

#include "http/host_check.h"

#include <microhttpd.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>

#include <spdlog/spdlog.h>

namespace hfd::http {

struct HttpServer::Connection {
  serve::Caller caller;  // a Unix peer's; TCP: the level it is counted under
  serve::Rights counted = serve::Rights::kNone;
  bool tcp = false;
  int fd = -1;
};

struct HttpServer::RequestState {
  std::string body;
  bool too_large = false;
};

namespace {

constexpr size_t kStreamBlockBytes = size_t{16} * 1024;
// Thread stacks of connection threads; JSON is parsed without recursion.
constexpr size_t kConnectionStackBytes = 1 << 20;

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

MHD_Result Iterate(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto* out = static_cast<std::map<std::string, std::string>*>(cls);
  std::string name(key != nullptr ? key : "");
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  (*out)[name] = value != nullptr ? value : "";
  return MHD_YES;
}

std::map<std::string, std::string> Values(MHD_Connection* connection, MHD_ValueKind kind) {
  std::map<std::string, std::string> out;
  MHD_get_connection_values(connection, kind, Iterate, &out);
  return out;
}

void Log(void*, const char* format, va_list args) {
  char line[512];
  std::vsnprintf(line, sizeof(line), format, args);
  std::string text(line);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  spdlog::debug("http: {}", text);
}

}  // namespace

struct MhdCallbacks {
  static MHD_Result OnRequest(void* cls, MHD_Connection* connection, const char* url,
                              const char* method, const char* /*version*/, const char* upload_data,
                              size_t* upload_data_size, void** req_cls) {
    auto* server = static_cast<HttpServer*>(cls);
    auto* state = static_cast<HttpServer::RequestState*>(*req_cls);
    if (state == nullptr) {
      state = new HttpServer::RequestState;
      *req_cls = state;
      const char* length =
          MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Length");
      if (length != nullptr &&
          std::strtoull(length, nullptr, 10) > server->options_.max_body_bytes) {
        state->too_large = true;
        return server->Answer(connection, url, method, *state) ? MHD_YES : MHD_NO;
      }
      return MHD_YES;
    }
    if (*upload_data_size != 0) {
      if (!state->too_large &&
          state->body.size() + *upload_data_size > server->options_.max_body_bytes) {
        state->too_large = true;
        state->body.clear();
        *upload_data_size = 0;
        return server->Answer(connection, url, method, *state) ? MHD_YES : MHD_NO;
      }
      if (!state->too_large) state->body.append(upload_data, *upload_data_size);
      *upload_data_size = 0;
      return MHD_YES;
    }
    if (state->too_large) return MHD_YES;  // its 413 is queued already
    return server->Answer(connection, url, method, *state) ? MHD_YES : MHD_NO;
  }

  static void OnCompleted(void*, MHD_Connection*, void** req_cls, MHD_RequestTerminationCode) {
    delete static_cast<HttpServer::RequestState*>(*req_cls);
    *req_cls = nullptr;
  }

  static void OnConnection(void* cls, MHD_Connection* connection, void** socket_context,
                           MHD_ConnectionNotificationCode toe) {
    auto* server = static_cast<HttpServer*>(cls);
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
      const MHD_ConnectionInfo* info =
          MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
      std::lock_guard lock(server->mu_);
      auto it =
          info != nullptr ? server->accepted_.find(info->connect_fd) : server->accepted_.end();
      if (it == server->accepted_.end()) return;
      *socket_context = new std::shared_ptr<HttpServer::Connection>(std::move(it->second));
      server->accepted_.erase(it);
      return;
    }
    auto* held = static_cast<std::shared_ptr<HttpServer::Connection>*>(*socket_context);
    if (held == nullptr) return;
    server->caps_.Release((*held)->counted);
    server->last_closed_ms_ = NowMs();
    delete held;
    *socket_context = nullptr;
  }

  static ssize_t Read(void* cls, uint64_t, char* buf, size_t max) {
    const ssize_t n = (*static_cast<std::shared_ptr<Exchange>*>(cls))->Read(buf, max);
    if (n == -1) return MHD_CONTENT_READER_END_OF_STREAM;
    if (n < 0) return MHD_CONTENT_READER_END_WITH_ERROR;
    return n;
  }

  // The response is gone: with it the client, if the body did not end.
  static void Free(void* cls) {
    auto* held = static_cast<std::shared_ptr<Exchange>*>(cls);
    (*held)->Cancel();
    delete held;
  }
};

HttpServer::HttpServer(ServerOptions options, const HttpAccess* access, Router router)
    : options_(std::move(options)),
      access_(access),
      router_(std::move(router)),
      caps_(options_.max_connections, options_.max_connections_per_level) {}

HttpServer::~HttpServer() { Stop(); }

bool HttpServer::recently_active() const {
  constexpr std::int64_t kRecentMs = 2000;
  return caps_.open() > 0 || NowMs() - last_closed_ms_ < kRecentMs;
}

Status HttpServer::Start(std::vector<HttpListener> listeners) {
  listeners_ = std::move(listeners);
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) return ErrnoError("eventfd", errno);
  const unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                         MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC | MHD_USE_ERROR_LOG;
  daemon_ = MHD_start_daemon(
      flags, 0, nullptr, nullptr, &MhdCallbacks::OnRequest, this, MHD_OPTION_EXTERNAL_LOGGER, &Log,
      nullptr, MHD_OPTION_CONNECTION_TIMEOUT, options_.header_timeout_seconds,
      MHD_OPTION_NOTIFY_COMPLETED, &MhdCallbacks::OnCompleted, this, MHD_OPTION_NOTIFY_CONNECTION,
      &MhdCallbacks::OnConnection, this, MHD_OPTION_CONNECTION_LIMIT, options_.max_connections + 16,
      MHD_OPTION_THREAD_STACK_SIZE, kConnectionStackBytes, MHD_OPTION_END);
  if (daemon_ == nullptr) return Internal("libmicrohttpd did not start");
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return Status::Ok();
}

void HttpServer::Stop() {
  if (stopped_.exchange(true)) return;
  if (acceptor_.joinable()) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(stop_fd_, &one, sizeof(one));
    acceptor_.join();
  }
  if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
  daemon_ = nullptr;
  if (stop_fd_ >= 0) ::close(stop_fd_);
  ReleaseHttpListeners(listeners_);
  listeners_.clear();
}

void HttpServer::AcceptLoop() {
  std::vector<pollfd> fds;
  for (const HttpListener& l : listeners_) fds.push_back({l.fd, POLLIN, 0});
  fds.push_back({stop_fd_, POLLIN, 0});
  for (;;) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      spdlog::error("http: poll on the listeners failed: {}", std::strerror(errno));
      return;
    }
    if (fds.back().revents != 0) return;
    for (size_t i = 0; i < listeners_.size(); ++i) {
      if (fds[i].revents != 0) Accept(listeners_[i]);
    }
  }
}

void HttpServer::Accept(const HttpListener& listener) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  const int fd = ::accept4(listener.fd, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC);
  if (fd < 0) {
    if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
      spdlog::warn("http: accept on {}: {}", listener.address, std::strerror(errno));
    }
    return;
  }
  auto connection = std::make_shared<Connection>();
  connection->tcp = listener.tcp;
  connection->fd = fd;
  if (listener.tcp) {
    connection->counted = access_->tcp_level();
    connection->caller = {kTcpUid, 0, access_->tcp_level(), false};
  } else {
    Result<daemon::PeerCredentials> peer = daemon::ReadPeerCredentials(fd);
    if (!peer.ok()) {
      spdlog::warn("http: connection dropped: {}", peer.status().ToString());
      ::close(fd);
      return;
    }
    connection->caller = access_->UnixCaller(*peer);
    connection->counted = connection->caller.rights;
    spdlog::debug("http: connection from {}", daemon::DescribePeer(*peer));
  }
  if (Status admitted = caps_.Admit(connection->counted); !admitted.ok()) {
    spdlog::debug("http: connection refused: {}", admitted.message());
    ::close(fd);
    return;
  }
  {
    std::lock_guard lock(mu_);
    accepted_[fd] = connection;
  }
  if (MHD_add_connection(daemon_, fd, reinterpret_cast<sockaddr*>(&addr), len) != MHD_YES) {
    // libmicrohttpd closed the socket; its connection never started.
    std::lock_guard lock(mu_);
    if (accepted_.erase(fd) > 0) caps_.Release(connection->counted);
  }
}

Result<std::vector<std::pair<std::string, std::string>>> HttpServer::CorsFor(
    const Request& request) const {
  std::vector<std::pair<std::string, std::string>> headers;
  const std::string origin = request.Header("origin");
  if (origin.empty()) return headers;
  const bool listed = std::find(options_.cors_origins.begin(), options_.cors_origins.end(),
                                origin) != options_.cors_origins.end();
  if (listed) {
    headers.emplace_back("Access-Control-Allow-Origin", origin);
    headers.emplace_back("Vary", "Origin");
    return headers;
  }
  // The chat page this server serves calls it from its own origin.
  const std::string host = request.Header("host");
  if (!host.empty() && (origin == "http://" + host || origin == "https://" + host)) return headers;
  return PermissionDenied("requests from web origin " + origin +
                          " are not allowed; list it in http.cors_origins to allow them");
}

bool HttpServer::Answer(MHD_Connection* connection, const char* url, const char* method,
                        RequestState& state) {
  const MHD_ConnectionInfo* context =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  auto* held = context != nullptr
                   ? static_cast<std::shared_ptr<Connection>*>(context->socket_context)
                   : nullptr;
  if (held == nullptr) return false;
  const Connection& conn = **held;
  Request request;
  request.method = method;
  request.path = url;
  request.query = Values(connection, MHD_GET_ARGUMENT_KIND);
  request.headers = Values(connection, MHD_HEADER_KIND);
  request.body = std::move(state.body);
  request.client_fd = conn.fd;
  if (state.too_large) {
    return Queue(connection, request,
                 router_.Error(request.path, TooLarge("the request body is over " +
                                                      std::to_string(options_.max_body_bytes) +
                                                      " bytes (http.max_body_bytes)")));
  }
  if (conn.tcp) {
    if (Status host = CheckHost(request.Header("host"), options_.cors_origins); !host.ok()) {
      return Queue(connection, request, router_.Error(request.path, host));
    }
  }
  Result<std::vector<std::pair<std::string, std::string>>> cors = CorsFor(request);
  if (!cors.ok()) return Queue(connection, request, router_.Error(request.path, cors.status()));
  if (request.method == "OPTIONS" && !cors->empty()) {
    Reply preflight;
    preflight.status = 204;
    preflight.headers = *cors;
    preflight.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
    preflight.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type");
    preflight.headers.emplace_back("Access-Control-Max-Age", "600");
    return Queue(connection, request, std::move(preflight));
  }
  Result<serve::Caller> caller =
      access_->RequestCaller(conn.caller, conn.tcp, request.Header("authorization"));
  if (caller.ok()) {
    request.caller = *caller;
  } else if (router_.OpenToAnyone(request.method, request.path)) {
    request.caller = {kTcpUid, 0, serve::Rights::kNone, false};
  } else {
    return Queue(connection, request, router_.Error(request.path, caller.status()));
  }
  Reply reply = router_.Route(request);
  for (auto& header : *cors) reply.headers.push_back(header);
  return Queue(connection, request, std::move(reply));
}

bool HttpServer::Queue(MHD_Connection* connection, const Request& request, Reply reply) {
  if (reply.hung_up) return false;
  MHD_Response* response = nullptr;
  if (reply.stream != nullptr) {
    auto* held = new std::shared_ptr<Exchange>(std::move(reply.stream));
    response = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, kStreamBlockBytes,
                                                 &MhdCallbacks::Read, held, &MhdCallbacks::Free);
    if (response == nullptr) MhdCallbacks::Free(held);
  } else {
    response = MHD_create_response_from_buffer(reply.body.size(), reply.body.data(),
                                               MHD_RESPMEM_MUST_COPY);
  }
  if (response == nullptr) return false;
  if (reply.status != 204) {
    MHD_add_response_header(response, "Content-Type", reply.content_type.c_str());
  }
  for (const auto& [name, value] : reply.headers) {
    MHD_add_response_header(response, name.c_str(), value.c_str());
  }
  if (reply.status == 401) MHD_add_response_header(response, "WWW-Authenticate", "Bearer");
  const MHD_Result queued =
      MHD_queue_response(connection, static_cast<unsigned>(reply.status), response);
  MHD_destroy_response(response);
  if (reply.status >= 400) {
    spdlog::debug("http: {} {} -> {}", request.method, request.path, reply.status);
  }
  return queued == MHD_YES;
}

}  // namespace hfd::http
