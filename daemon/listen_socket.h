// The listening Unix socket: taken from systemd (socket activation) or bound by hfd.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "daemon/config.h"
#include "hfd/status.h"

namespace hfd::daemon {

enum class ActivationMode { kSocketActivated, kSelfBound };

// "socket-activated" or "self-bound", as `status` reports it.
std::string_view ActivationModeName(ActivationMode mode);

struct ListenSocket {
  int fd = -1;
  std::string path;
  ActivationMode mode = ActivationMode::kSelfBound;
  gid_t group = 0;  // the socket file's group: the default policy trusts its members
  ino_t inode = 0;  // identifies our socket file when removing it at exit
  // The HTTP door's sockets when systemd passed them (FileDescriptorName=http for the Unix
  // socket, http-tcp for TCP); -1 otherwise. http/ takes them.
  int http_unix_fd = -1;
  int http_tcp_fd = -1;
};

// Takes the socket passed by systemd (sd_listen_fds_with_names: the one not named http or
// http-tcp) when there is one; otherwise binds
// config.socket_path (default: proto::DefaultSocketPath()) with the configured mode,
// replacing a stale socket file left by a dead daemon. Refuses to replace a live
// daemon's socket or anything that is not a socket.
Result<ListenSocket> AcquireListenSocket(const Config& config);

// Binds and listens on a Unix socket at `path` with `mode` (unset: 0600 inside
// $XDG_RUNTIME_DIR, else 0660), replacing a stale socket file as AcquireListenSocket does.
Result<ListenSocket> BindUnixSocket(const std::string& path, std::optional<unsigned> mode);

// Removes the socket file if hfd bound it and it is still the same file; systemd's
// socket is left alone. Does not close the fd.
void RemoveSocketFile(const ListenSocket& socket);

}  // namespace hfd::daemon
