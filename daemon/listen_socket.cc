#include "daemon/listen_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "proto/socket_path.h"

namespace hfd::daemon {
namespace {

// Closes the fd unless released; keeps error paths from leaking it.
class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

Status Stat(const std::string& path, struct stat& st) {
  if (::stat(path.c_str(), &st) != 0) return ErrnoError("stat " + path, errno);
  return Status::Ok();
}

// Removes `path` if it is a socket nobody listens on; fails if a daemon answers there.
Status RemoveStaleSocket(const std::string& path, const sockaddr_un& addr) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? Status::Ok() : ErrnoError("lstat " + path, errno);
  }
  if (!S_ISSOCK(st.st_mode)) {
    return InvalidArgument(path + " exists and is not a socket; refusing to replace it");
  }
  FdGuard probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (probe.get() < 0) return ErrnoError("socket", errno);
  if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) {
    return Unavailable("another daemon is already listening on " + path +
                       "; stop it first, or choose another path with --socket");
  }
  if (errno != ECONNREFUSED) return ErrnoError("probing " + path, errno);
  spdlog::info("removing stale socket {} left by a daemon that is no longer running", path);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoError("unlink " + path, errno);
  return Status::Ok();
}

unsigned DefaultMode(const std::string& path) {
  const char* runtime_dir = std::getenv("XDG_RUNTIME_DIR");
  const bool in_user_runtime_dir = runtime_dir != nullptr && *runtime_dir != '\0' &&
                                   path.rfind(std::string(runtime_dir) + "/", 0) == 0;
  return in_user_runtime_dir ? 0600 : 0660;
}

Result<ListenSocket> FromSystemd(int fd) {
  if (sd_is_socket_unix(fd, SOCK_STREAM, /*listening=*/1, nullptr, 0) <= 0) {
    return InvalidArgument(
        "the socket systemd passed is not a listening Unix stream socket; "
        "check ListenStream= in hfd.socket");
  }
  ListenSocket socket;
  socket.fd = fd;
  socket.mode = ActivationMode::kSocketActivated;
  sockaddr_un addr{};
  socklen_t len = sizeof(addr);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0 &&
      len > offsetof(sockaddr_un, sun_path) && addr.sun_path[0] != '\0') {
    socket.path = addr.sun_path;
    struct stat st {};
    if (Stat(socket.path, st).ok()) socket.group = st.st_gid;
  }
  return socket;
}

Result<ListenSocket> BindSelf(const Config& config) {
  return BindUnixSocket(
      config.socket_path.empty() ? proto::DefaultSocketPath() : config.socket_path,
      config.socket_mode);
}

}  // namespace

Result<ListenSocket> BindUnixSocket(const std::string& path, std::optional<unsigned> mode) {
  ListenSocket socket;
  socket.path = path;
  HFD_ASSIGN_OR_RETURN(const sockaddr_un addr, proto::UnixSocketAddress(socket.path));
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(socket.path).parent_path();
  if (!parent.empty() && !std::filesystem::exists(parent, ec)) {
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return IoError("cannot create " + parent.string() + " for the socket: " + ec.message());
    }
  }
  HFD_RETURN_IF_ERROR(RemoveStaleSocket(socket.path, addr));
  FdGuard fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return ErrnoError("socket", errno);
  // The umask makes the file private from the moment it exists; chmod then opens it up.
  const mode_t old_umask = ::umask(0177);
  const int bound = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  const int bind_errno = errno;
  ::umask(old_umask);
  if (bound != 0) return ErrnoError("bind " + socket.path, bind_errno);
  if (::chmod(socket.path.c_str(), mode.value_or(DefaultMode(socket.path))) != 0) {
    return ErrnoError("chmod " + socket.path, errno);
  }
  if (::listen(fd.get(), SOMAXCONN) != 0) return ErrnoError("listen " + socket.path, errno);
  struct stat st {};
  HFD_RETURN_IF_ERROR(Stat(socket.path, st));
  socket.group = st.st_gid;
  socket.inode = st.st_ino;
  socket.fd = fd.release();
  socket.mode = ActivationMode::kSelfBound;
  return socket;
}

std::string_view ActivationModeName(ActivationMode mode) {
  return mode == ActivationMode::kSocketActivated ? "socket-activated" : "self-bound";
}

Result<ListenSocket> AcquireListenSocket(const Config& config) {
  char** names = nullptr;
  const int n = sd_listen_fds_with_names(/*unset_environment=*/1, &names);
  if (n < 0) return ErrnoError("sd_listen_fds_with_names", -n);
  int msgpack_fd = -1;
  int http_unix_fd = -1;
  int http_tcp_fd = -1;
  int unexpected = 0;
  for (int i = 0; i < n; ++i) {
    const std::string name = names != nullptr && names[i] != nullptr ? names[i] : "";
    const int fd = SD_LISTEN_FDS_START + i;
    int& slot = name == "http" ? http_unix_fd : name == "http-tcp" ? http_tcp_fd : msgpack_fd;
    if (slot >= 0) ++unexpected;
    slot = fd;
  }
  if (names != nullptr) {
    for (int i = 0; i < n; ++i) std::free(names[i]);
    std::free(static_cast<void*>(names));
  }
  if (unexpected > 0) {
    return InvalidArgument("systemd passed " + std::to_string(n) +
                           " sockets; hfd takes one MessagePack socket and at most one HTTP "
                           "socket named http and one named http-tcp (FileDescriptorName=)");
  }
  ListenSocket socket;
  if (msgpack_fd >= 0) {
    HFD_ASSIGN_OR_RETURN(socket, FromSystemd(msgpack_fd));
  } else {
    HFD_ASSIGN_OR_RETURN(socket, BindSelf(config));
  }
  socket.http_unix_fd = http_unix_fd;
  socket.http_tcp_fd = http_tcp_fd;
  return socket;
}

void RemoveSocketFile(const ListenSocket& socket) {
  if (socket.mode != ActivationMode::kSelfBound || socket.path.empty()) return;
  struct stat st {};
  if (::lstat(socket.path.c_str(), &st) == 0 && st.st_ino == socket.inode) {
    ::unlink(socket.path.c_str());
  }
}

}  // namespace hfd::daemon
