#include "daemon/server.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "daemon/sd_notifier.h"

namespace hfd::daemon {
namespace {

// How long shutdown waits for clients to take the answers to their requests.
constexpr std::chrono::milliseconds kDrainTimeout{2000};

template <typename Handle>
Handle* NewHandle(Server* owner) {
  auto* handle = new Handle;
  handle->data = owner;
  return handle;
}

}  // namespace

Server::Server(Config config, ListenSocket socket)
    : services_(std::move(config), std::move(socket)),
      poster_(&loop_),
      connection_limits_(services_.config.max_connections,
                         services_.config.max_connections_per_user, ::geteuid()),
      last_activity_(std::chrono::steady_clock::now()) {
  uv_loop_init(&loop_);
  services_.metric_refreshers.push_back([this] {
    ServerMetrics& m = services_.server_metrics;
    m.uptime_seconds.Set(services_.UptimeSeconds());
    std::size_t queued = 0;
    for (const auto& [id, connection] : connections_) queued += connection->queued_output_bytes();
    m.output_queue_bytes.Set(static_cast<double>(queued));
  });
}

Server::~Server() {
  if (workers_) workers_->Stop();
  uv_loop_close(&loop_);
}

Status Server::Run() {
  HFD_RETURN_IF_ERROR(poster_.Start());
  workers_ = std::make_unique<ThreadPool>(services_.config.worker_threads);
  if (Status started = StartHandles(); !started.ok()) {
    Shutdown("startup failed");
    uv_run(&loop_, UV_RUN_DEFAULT);
    return started;
  }
  const ListenSocket& socket = services_.socket;
  const std::string mode(ActivationModeName(socket.mode));
  spdlog::info("hfd {} serving on {} ({}), pid {}", HFD_VERSION, socket.path, mode, services_.pid);
  sd::Ready("Serving on " + socket.path + " (" + mode + ")");
  uv_run(&loop_, UV_RUN_DEFAULT);
  if (drain_timer_ != nullptr) {  // unreferenced: the loop ended without it
    CloseHandle(reinterpret_cast<uv_handle_t*>(drain_timer_));
    drain_timer_ = nullptr;
    uv_run(&loop_, UV_RUN_DEFAULT);
  }
  RemoveSocketFile(socket);
  spdlog::info("hfd stopped");
  return Status::Ok();
}

Status Server::StartHandles() {
  listener_ = NewHandle<uv_pipe_t>(this);
  uv_pipe_init(&loop_, listener_, 0);
  if (int rc = uv_pipe_open(listener_, services_.socket.fd); rc != 0) {
    return Internal(std::string("cannot use the listening socket: ") + uv_strerror(rc));
  }
  auto* stream = reinterpret_cast<uv_stream_t*>(listener_);
  if (int rc = uv_listen(stream, SOMAXCONN,
                         [](uv_stream_t* s, int status) {
                           if (status == 0) static_cast<Server*>(s->data)->OnConnection();
                         });
      rc != 0) {
    return Internal(std::string("listen: ") + uv_strerror(rc));
  }
  auto on_signal = [](uv_signal_t* handle, int signum) {
    static_cast<Server*>(handle->data)->Shutdown(signum == SIGTERM ? "SIGTERM" : "SIGINT");
  };
  sigterm_ = NewHandle<uv_signal_t>(this);
  sigint_ = NewHandle<uv_signal_t>(this);
  uv_signal_init(&loop_, sigterm_);
  uv_signal_init(&loop_, sigint_);
  uv_signal_start(sigterm_, on_signal, SIGTERM);
  uv_signal_start(sigint_, on_signal, SIGINT);
  // main() blocked these until the loop could handle them; a pending one arrives now.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
  if (const std::uint32_t idle = services_.config.idle_exit_seconds; idle > 0) {
    idle_timer_ = NewHandle<uv_timer_t>(this);
    uv_timer_init(&loop_, idle_timer_);
    const std::uint64_t period = std::clamp<std::uint64_t>(idle * 250ull, 100, 1000);
    uv_timer_start(
        idle_timer_, [](uv_timer_t* t) { static_cast<Server*>(t->data)->CheckIdle(); }, period,
        period);
  }
  if (auto interval = sd::WatchdogPingInterval()) {
    watchdog_timer_ = NewHandle<uv_timer_t>(this);
    uv_timer_init(&loop_, watchdog_timer_);
    const auto ms = static_cast<std::uint64_t>(interval->count());
    uv_timer_start(
        watchdog_timer_, [](uv_timer_t*) { sd::WatchdogPing(); }, 0, ms);
  }
  return Status::Ok();
}

void Server::OnConnection() {
  const std::uint64_t id = next_connection_id_++;
  auto connection = std::make_shared<Connection>(*this, id, services_.config.limits,
                                                 services_.config.max_output_bytes);
  if (Status accepted = connection->Accept(reinterpret_cast<uv_stream_t*>(listener_));
      !accepted.ok()) {
    spdlog::warn("connection {} dropped: {}", id, accepted.ToString());
    return;
  }
  connections_[id] = connection;
  last_activity_ = std::chrono::steady_clock::now();
  ServerMetrics& m = services_.server_metrics;
  m.connections_total.Increment();
  m.connections.Set(static_cast<double>(connections_.size()));
  services_.open_connections = connections_.size();
  spdlog::debug("connection {} from {}", id, DescribePeer(connection->peer()));
  if (Status admitted = connection_limits_.Admit(connection->peer().uid); !admitted.ok()) {
    m.protocol_errors.Increment({"too_many_connections"});
    connection->FailStream(admitted);
    return;
  }
  admitted_.insert(id);
}

void Server::OnClosed(Connection& connection) {
  if (admitted_.erase(connection.id()) > 0) connection_limits_.Release(connection.peer().uid);
  connections_.erase(connection.id());
  last_activity_ = std::chrono::steady_clock::now();
  services_.server_metrics.connections.Set(static_cast<double>(connections_.size()));
  services_.open_connections = connections_.size();
}

void Server::CheckIdle() {
  const auto now = std::chrono::steady_clock::now();
  const bool vetoed = std::any_of(services_.idle_vetoes.begin(), services_.idle_vetoes.end(),
                                  [](const auto& busy) { return busy(); });
  if (!connections_.empty() || in_flight_ > 0 || vetoed) {
    last_activity_ = now;
    return;
  }
  if (now - last_activity_ >= std::chrono::seconds(services_.config.idle_exit_seconds)) {
    Shutdown("idle");
  }
}

void Server::CloseHandle(uv_handle_t* handle) {
  if (handle == nullptr || uv_is_closing(handle)) return;
  uv_close(handle, [](uv_handle_t* h) {
    switch (h->type) {
      case UV_NAMED_PIPE:
        delete reinterpret_cast<uv_pipe_t*>(h);
        break;
      case UV_SIGNAL:
        delete reinterpret_cast<uv_signal_t*>(h);
        break;
      case UV_TIMER:
        delete reinterpret_cast<uv_timer_t*>(h);
        break;
      default:
        break;
    }
  });
}

void Server::CloseUndrained() {
  for (const auto& [id, connection] : std::map(connections_)) {
    connection->Close("daemon shutting down: the client did not take its answers");
  }
}

void Server::Shutdown(const char* why) {
  if (shutting_down_) return;
  shutting_down_ = true;
  spdlog::info("shutting down ({})", why);
  sd::Stopping();
  for (uv_handle_t* handle :
       {reinterpret_cast<uv_handle_t*>(listener_), reinterpret_cast<uv_handle_t*>(sigterm_),
        reinterpret_cast<uv_handle_t*>(sigint_), reinterpret_cast<uv_handle_t*>(idle_timer_),
        reinterpret_cast<uv_handle_t*>(watchdog_timer_)}) {
    CloseHandle(handle);
  }
  listener_ = nullptr;
  sigterm_ = sigint_ = nullptr;
  idle_timer_ = watchdog_timer_ = nullptr;
  // Every request in flight is answered `unavailable` now and cancelled, so worker handlers
  // finish promptly; a connection closes once its answers are written, or after
  // kDrainTimeout for a client that does not read them.
  const Status ended = Unavailable(std::string("hfd is shutting down (") + why +
                                   "): the request ended unfinished; run it again once hfd "
                                   "is back");
  for (const auto& [id, connection] : std::map(connections_)) connection->Drain(ended);
  drain_timer_ = NewHandle<uv_timer_t>(this);
  uv_timer_init(&loop_, drain_timer_);
  uv_timer_start(
      drain_timer_, [](uv_timer_t* t) { static_cast<Server*>(t->data)->CloseUndrained(); },
      kDrainTimeout.count(), 0);
  // Only the connections keep the loop running: it ends as soon as they are closed.
  uv_unref(reinterpret_cast<uv_handle_t*>(drain_timer_));
  for (const auto& hook : services_.shutdown_hooks) hook();
  workers_->Stop();
  poster_.Close();
}

}  // namespace hfd::daemon
