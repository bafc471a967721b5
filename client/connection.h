// A connected Unix stream socket with blocking-with-timeout writes and reads.
// Owned by one thread at a time.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "hfd/status.h"

namespace hfd::client {

class SocketConnection {
 public:
  // Connects to `path`. ENOENT/ECONNREFUSED become kUnavailable with a hint on how to
  // start the daemon; EACCES becomes kPermissionDenied.
  static Result<SocketConnection> Connect(const std::string& path);

  SocketConnection(SocketConnection&& other) noexcept;
  SocketConnection& operator=(SocketConnection&& other) noexcept;
  SocketConnection(const SocketConnection&) = delete;
  SocketConnection& operator=(const SocketConnection&) = delete;
  ~SocketConnection();

  // Writes everything (retrying on EINTR and partial writes), with `fds` as SCM_RIGHTS
  // data on the first bytes: at most proto::kMaxFdsPerSendmsg per sendmsg, each sendmsg
  // carrying at least one byte. kUnavailable when the daemon closed the connection.
  Status WriteAll(std::string_view data, std::span<const int> fds = {});

  // Waits up to `timeout_ms` (-1: for ever) for input, then reads at most `size` bytes.
  // Returns 0 on timeout or when a signal interrupted the wait; kUnavailable when the daemon closed
  // the connection.
  Result<std::size_t> ReadSome(char* buffer, std::size_t size, int timeout_ms);

 private:
  explicit SocketConnection(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace hfd::client
