// Where the daemon listens when no path is given; shared by hfd and its clients so both
// resolve the same socket.
#pragma once

#include <sys/un.h>

#include <string>

#include "hfd/status.h"

namespace hfd::proto {

// The system instance's socket.
inline constexpr const char* kSystemSocketPath = "/run/hfd/hfd.sock";

// $HFD_SOCKET if set and non-empty; else, for root, the system socket; else
// $XDG_RUNTIME_DIR/hfd.sock for a user with a runtime directory; else the system socket.
// Reads the environment: call it before starting threads that might change it.
std::string DefaultSocketPath();

// What a client connects to without an explicit path: DefaultSocketPath(), except that a
// user whose own socket does not exist is pointed at the system instance when its socket
// exists (a desktop user in the hfd group talking to the system daemon).
std::string DefaultClientSocketPath();

// The address of the socket at `path`; InvalidArgument when it is empty or too long for
// sockaddr_un (107 bytes on Linux).
Result<sockaddr_un> UnixSocketAddress(const std::string& path);

}  // namespace hfd::proto
