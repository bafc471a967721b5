// The daemon's event loop: accepts connections on the listening socket, dispatches
// requests to registered methods, handles signals, the systemd watchdog and idle exit.
// Construct, register methods, then Run() on the thread that will be the loop thread.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "daemon/connection.h"
#include "daemon/connection_limits.h"
#include "daemon/loop_poster.h"
#include "daemon/method_registry.h"
#include "daemon/peer.h"
#include "daemon/services.h"
#include "daemon/thread_pool.h"
#include "proto/message.h"

namespace hfd::daemon {

class Server : public ConnectionOwner {
 public:
  Server(Config config, ListenSocket socket);
  ~Server() override;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  MethodRegistry& methods() { return methods_; }
  DaemonServices& services() { return services_; }

  // Something that keeps an idle daemon alive (a resident model); polled on the loop
  // thread while the daemon is otherwise idle. Register before Run().
  void AddIdleVeto(std::function<bool()> busy) { services_.idle_vetoes.push_back(std::move(busy)); }

  // Serves until SIGTERM/SIGINT or idle exit. Returns an error if the loop could not start.
  Status Run();

 private:
  void OnObject(Connection& connection, const msgpack::object& object) override;
  void OnClosed(Connection& connection) override;

  Status StartHandles();
  void OnConnection();
  void Dispatch(Connection& connection, proto::Message request);
  void StartHandler(const Method& method, std::shared_ptr<RequestContext> ctx);
  void RejectRequest(Connection& connection, std::uint32_t msgid, const std::string& method,
                     const Status& error);
  void CheckIdle();
  void Shutdown(const char* why);
  // The shutdown's last step: closes connections whose clients did not take their answers.
  void CloseUndrained();
  void CloseHandle(uv_handle_t* handle);

  DaemonServices services_;
  MethodRegistry methods_;
  uv_loop_t loop_{};
  LoopPoster poster_;
  std::unique_ptr<ThreadPool> workers_;
  uv_pipe_t* listener_ = nullptr;  // handles: freed in their close callbacks
  uv_signal_t* sigterm_ = nullptr;
  uv_signal_t* sigint_ = nullptr;
  uv_timer_t* idle_timer_ = nullptr;
  uv_timer_t* watchdog_timer_ = nullptr;
  uv_timer_t* drain_timer_ = nullptr;  // shutdown: bounds the wait for answers to be taken
  std::map<std::uint64_t, std::shared_ptr<Connection>> connections_;
  ConnectionLimits connection_limits_;
  std::set<std::uint64_t> admitted_;  // connections counted by connection_limits_
  std::uint64_t next_connection_id_ = 1;
  std::size_t in_flight_ = 0;
  std::chrono::steady_clock::time_point last_activity_;
  bool shutting_down_ = false;
};

}  // namespace hfd::daemon
