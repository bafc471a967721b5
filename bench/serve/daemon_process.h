// A private hfd for a benchmark: started on a socket in a fresh temporary directory with
// no configuration file, stopped (SIGTERM, then SIGKILL) when destroyed.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "hfd/client.h"
#include "hfd/status.h"

namespace hfd::bench {

class DaemonProcess {
 public:
  // Starts `hfd_binary` and waits until a client can connect (at most 30 s).
  static Result<std::unique_ptr<DaemonProcess>> Start(const std::string& hfd_binary);
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  const std::string& socket() const { return socket_; }
  // A new connection to it.
  Result<std::unique_ptr<client::Client>> Connect() const;

 private:
  DaemonProcess(std::filesystem::path dir, pid_t pid);
  std::filesystem::path dir_;
  std::string socket_;
  pid_t pid_;
};

}  // namespace hfd::bench
