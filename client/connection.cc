#include "client/connection.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "proto/passed_files.h"
#include "proto/socket_path.h"

namespace hfd::client {
namespace {

Status SendError(int err) {
  if (err == EPIPE || err == ECONNRESET) return Unavailable("the hfd daemon closed the connection");
  return ErrnoError("sending to hfd", err);
}

constexpr const char* kStartHint =
    "; start it with `systemctl --user start hfd.socket` (system instance: "
    "`sudo systemctl start hfd.socket`), or run `hfd`";

}  // namespace

Result<SocketConnection> SocketConnection::Connect(const std::string& path) {
  HFD_ASSIGN_OR_RETURN(const sockaddr_un addr, proto::UnixSocketAddress(path));
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoError("socket", errno);
  SocketConnection connection(fd);
  int rc;
  do {
    rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    if (err == ENOENT || err == ECONNREFUSED || err == ENOTDIR) {
      return Unavailable("the hfd daemon is not running at " + path + " (" + std::strerror(err) +
                         ")" + kStartHint);
    }
    if (err == EACCES || err == EPERM) {
      return PermissionDenied("not allowed to connect to " + path +
                              ": for the system instance, join the 'hfd' group");
    }
    return Unavailable("cannot connect to " + path + ": " + std::strerror(err) + kStartHint);
  }
  return connection;
}

SocketConnection::SocketConnection(SocketConnection&& other) noexcept : fd_(other.fd_) {
  other.fd_ = -1;
}

SocketConnection& SocketConnection::operator=(SocketConnection&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

SocketConnection::~SocketConnection() {
  if (fd_ >= 0) ::close(fd_);
}

Status SocketConnection::WriteAll(std::string_view data, std::span<const int> fds) {
  constexpr std::size_t kBatch = proto::kMaxFdsPerSendmsg;
  if (data.size() < (fds.size() + kBatch - 1) / kBatch) {
    return InvalidArgument("too few bytes to carry " + std::to_string(fds.size()) + " descriptors");
  }
  while (!data.empty()) {
    const std::size_t batch = std::min(fds.size(), kBatch);
    // Bytes kept back so that every later batch has one to travel on.
    const std::size_t later_batches = (fds.size() - batch + kBatch - 1) / kBatch;
    const ssize_t n =
        proto::SendWithFds(fd_, data.substr(0, data.size() - later_batches), fds.first(batch));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EBADF) return InvalidArgument("a descriptor to pass to hfd is not open");
      return SendError(errno);
    }
    // The descriptors went with the first byte sent.
    data.remove_prefix(static_cast<std::size_t>(n));
    fds = fds.subspan(batch);
  }
  return Status::Ok();
}

Result<std::size_t> SocketConnection::ReadSome(char* buffer, std::size_t size, int timeout_ms) {
  pollfd pfd{fd_, POLLIN, 0};
  const int rc = ::poll(&pfd, 1, timeout_ms);
  // A signal (Ctrl-C) returns early like a timeout, so the caller re-checks its flags.
  if (rc < 0 && errno == EINTR) return std::size_t{0};
  if (rc < 0) return ErrnoError("waiting for hfd", errno);
  if (rc == 0) return std::size_t{0};
  ssize_t n;
  do {
    n = ::recv(fd_, buffer, size, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == ECONNRESET) return Unavailable("the hfd daemon closed the connection");
    return ErrnoError("reading from hfd", errno);
  }
  if (n == 0) return Unavailable("the hfd daemon closed the connection");
  return static_cast<std::size_t>(n);
}

}  // namespace hfd::client
