#include "tests/daemon/in_process_server.h"

#include <pthread.h>
#include <signal.h>

#include <chrono>

#include "daemon/listen_socket.h"
#include "hfd/client.h"

namespace hfd::testing {

InProcessServer::InProcessServer(
    const std::function<void(daemon::MethodRegistry&)>& register_methods)
    : socket_((dir_.path() / "hfd.sock").string()) {
  // Writes to a client that left must fail with EPIPE, as in the daemon (main.cc).
  ::signal(SIGPIPE, SIG_IGN);
  daemon::Config config;
  config.socket_path = socket_;
  config.worker_threads = 2;
  Result<daemon::ListenSocket> listen = daemon::AcquireListenSocket(config);
  if (!listen.ok()) {
    started_ = listen.status();
    return;
  }
  server_ = std::make_unique<daemon::Server>(std::move(config), std::move(listen).value());
  register_methods(server_->methods());
  loop_ = std::thread([this] {
    if (Status run = server_->Run(); !run.ok()) ADD_FAILURE() << run.ToString();
  });
  // An answer means the loop runs and handles SIGTERM (the destructor relies on it).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  do {
    Result<std::unique_ptr<client::Client>> client = client::Client::Connect(socket_);
    if (client.ok()) {
      // No such method: its error is an answer all the same.
      started_ = (*client)->Call("unknown-method").status();
      if (started_.code() == ErrorCode::kNotFound) {
        started_ = Status::Ok();
        return;
      }
    } else {
      started_ = client.status();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
}

InProcessServer::~InProcessServer() {
  if (!loop_.joinable()) return;
  if (started_.ok()) ::pthread_kill(loop_.native_handle(), SIGTERM);
  loop_.join();
}

bool InProcessServer::WaitNoConnections() const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server_->services().open_connections.load() != 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::size_t OpenDescriptorCount() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++count;
  }
  return count;
}

}  // namespace hfd::testing
