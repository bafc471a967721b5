// A private hfd for a benchmark: started on a socket in a fresh temporary directory with
// no configuration file and an empty Hub cache of its own, offline (so what it lists does
// not depend on the machine's cache), stopped (SIGTERM, then SIGKILL) when destroyed.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hfd/client.h"
#include "hfd/status.h"

namespace hfd::bench {

class DaemonProcess {
 public:
  // Starts `hfd_binary` with `env` ("NAME=value") added to the environment and waits
  // until a client can connect (at most 30 s).
  static Result<std::unique_ptr<DaemonProcess>> Start(const std::string& hfd_binary,
                                                      std::vector<std::string> env = {});
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  const std::string& socket() const { return socket_; }
  // The HTTP door's Unix socket (hfd-http.sock beside the socket).
  std::string http_socket() const { return (dir_ / "hfd-http.sock").string(); }
  // A new connection to it.
  Result<std::unique_ptr<client::Client>> Connect() const;

 private:
  DaemonProcess(std::filesystem::path dir, pid_t pid);
  std::filesystem::path dir_;
  std::string socket_;
  pid_t pid_;
};

}  // namespace hfd::bench
