#include "proto/socket_path.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace hfd::proto {
namespace {

const char* NonEmptyEnv(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

std::string DefaultSocketPath() {
  if (const char* explicit_path = NonEmptyEnv("HFD_SOCKET")) return explicit_path;
  if (::geteuid() == 0) return kSystemSocketPath;
  if (const char* runtime_dir = NonEmptyEnv("XDG_RUNTIME_DIR")) {
    return std::string(runtime_dir) + "/hfd.sock";
  }
  return kSystemSocketPath;
}

std::string DefaultClientSocketPath() {
  std::string path = DefaultSocketPath();
  if (NonEmptyEnv("HFD_SOCKET") == nullptr && !Exists(path) && Exists(kSystemSocketPath)) {
    return kSystemSocketPath;
  }
  return path;
}

Result<sockaddr_un> UnixSocketAddress(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return InvalidArgument("socket path '" + path + "' is empty or longer than " +
                           std::to_string(sizeof(addr.sun_path) - 1) + " bytes");
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

}  // namespace hfd::proto
