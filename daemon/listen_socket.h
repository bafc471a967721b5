// The listening Unix socket: taken from systemd (socket activation) or bound by hfd.
#pragma once

#include <sys/types.h>

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
};

// Takes the socket passed by systemd (sd_listen_fds) when there is one; otherwise binds
// config.socket_path (default: proto::DefaultSocketPath()) with the configured mode,
// replacing a stale socket file left by a dead daemon. Refuses to replace a live
// daemon's socket or anything that is not a socket.
Result<ListenSocket> AcquireListenSocket(const Config& config);

// Removes the socket file if hfd bound it and it is still the same file; systemd's
// socket is left alone. Does not close the fd.
void RemoveSocketFile(const ListenSocket& socket);

}  // namespace hfd::daemon
