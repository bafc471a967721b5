// A real hfd Server (loop, connections, dispatch, workers) on a real socket, run on a
// thread of the test process with methods the test registers instead of the product's.
// Tests of the transport use it to look at what a handler receives; in-process, the
// server's descriptors are the test's own, so /proc/self/fd shows any it leaks.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "daemon/server.h"
#include "hfd/status.h"
#include "tests/support/fixtures.h"

namespace hfd::testing {

class InProcessServer {
 public:
  // `register_methods` adds the test's methods before the server starts.
  explicit InProcessServer(const std::function<void(daemon::MethodRegistry&)>& register_methods);
  // Stops the server (SIGTERM to its loop thread, as the daemon is stopped) and waits.
  ~InProcessServer();
  InProcessServer(const InProcessServer&) = delete;
  InProcessServer& operator=(const InProcessServer&) = delete;

  // OK once the server answers on its socket.
  const Status& started() const { return started_; }
  const std::string& socket() const { return socket_; }
  // Waits until the server holds no connection (it closes its end after the client's);
  // false after 10 s.
  bool WaitNoConnections() const;

 private:
  TempDir dir_;
  std::string socket_;
  std::unique_ptr<daemon::Server> server_;
  std::thread loop_;
  Status started_;
};

// Open descriptors of this process (entries of /proc/self/fd).
std::size_t OpenDescriptorCount();

}  // namespace hfd::testing
