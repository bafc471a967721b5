// Test harness for the daemon's process tests: starting real hfd/hfctl processes and
// speaking raw MessagePack-RPC on a real socket.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hfd/status.h"
#include "proto/decoder.h"
#include "proto/message.h"

namespace hfd::testing {

// Path of a built binary passed by CMake in the environment variable `env_name`
// (HFD_BIN, HFCTL_BIN); empty when unset.
std::string BinaryFromEnv(const char* env_name);

// The command that starts hfd the way a .socket unit does: systemd-socket-activate
// listening on `socket`, then `hfd_args` (the hfd binary first). It gives the daemon only
// the variables named with --setenv, so HFD_CONFIG=/dev/null, `extra_env` and the test's
// own Hub, Vulkan and sanitizer settings are forwarded explicitly.
std::vector<std::string> SocketActivateCommand(const std::string& socket,
                                               const std::vector<std::string>& hfd_args);
inline constexpr const char* kSocketActivatePath = "/usr/bin/systemd-socket-activate";

// A child process; killed (SIGKILL) if still running when destroyed.
class ChildProcess {
 public:
  // Starts argv[0] with argv, the current environment plus `env` ("NAME=value"), and
  // stdout/stderr appended to `log_path`.
  static std::unique_ptr<ChildProcess> Start(const std::vector<std::string>& argv,
                                             const std::vector<std::string>& env,
                                             const std::filesystem::path& log_path);
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // The exit status (or 128+signal) once it exits within `timeout`, else nullopt.
  std::optional<int> WaitExit(std::chrono::milliseconds timeout);
  // SIGTERM, then waits up to 20 s.
  std::optional<int> Terminate();
  void Kill();

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  std::optional<int> exit_;
};

// Retries connecting until something accepts on `path` or `timeout` passes.
bool WaitForSocket(const std::string& path, std::chrono::milliseconds timeout);

// Runs a command to completion; returns its exit code and stdout.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& env = {});

// The value of an unlabelled gauge or counter in a Prometheus exposition; -1 if absent.
double MetricValue(const std::string& exposition, const std::string& name);

// A raw client socket for sending arbitrary bytes and reading decoded messages.
class RawClient {
 public:
  static std::unique_ptr<RawClient> Connect(const std::string& path);
  ~RawClient();

  bool Send(const std::string& bytes);
  // The next message within `timeout`; an error when the daemon closed the connection
  // (kUnavailable) or the wait timed out (kDeadlineExceeded).
  Result<proto::Message> Receive(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // True when the daemon closed the connection within `timeout` (reads and drops data).
  bool WaitClosed(std::chrono::milliseconds timeout);
  int fd() const { return fd_; }

 private:
  explicit RawClient(int fd);
  int fd_;
  proto::FrameDecoder decoder_;
};

// Starts hfd bound to a socket in a fresh temporary directory and stops it at the end.
class DaemonFixture {
 public:
  // `extra_args` are added to hfd's command line; `config_toml`, when given, is written
  // to hfd.toml in the directory and passed with --config.
  explicit DaemonFixture(std::vector<std::string> extra_args = {}, std::string config_toml = "");
  ~DaemonFixture();
  bool started() const { return started_; }
  const std::string& socket() const { return socket_; }
  const std::filesystem::path& dir() const { return dir_; }
  ChildProcess& process() { return *process_; }
  std::string Log() const;

 private:
  std::filesystem::path dir_;
  std::string socket_;
  std::unique_ptr<ChildProcess> process_;
  bool started_ = false;
};

}  // namespace hfd::testing
