// A child process whose stdin, stdout and stderr are a pseudo-terminal that is also its
// controlling terminal: what an interactive command sees when a person runs it. Writing
// "\x03" to it is a Ctrl-C (SIGINT from the terminal), "\x04" at a line start a Ctrl-D.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hfd::testing {

class PtyProcess {
 public:
  // Starts argv[0] with argv and the current environment plus `env` ("NAME=value").
  static std::unique_ptr<PtyProcess> Start(const std::vector<std::string>& argv,
                                           const std::vector<std::string>& env = {});
  ~PtyProcess();  // kills the child if it still runs
  PtyProcess(const PtyProcess&) = delete;
  PtyProcess& operator=(const PtyProcess&) = delete;

  // Types `text` on the terminal.
  bool Write(std::string_view text);
  // Reads output until `text` appears at or after `from` (an offset into output());
  // returns where it starts, or nullopt when the time runs out or the child exits first.
  std::optional<size_t> WaitFor(std::string_view text, size_t from,
                                std::chrono::milliseconds timeout);
  // Reads output until there is more than `size` bytes of it; false on timeout or exit.
  bool WaitForOutputBeyond(size_t size, std::chrono::milliseconds timeout);
  // Everything the child wrote so far (echoed input included).
  const std::string& output() const { return output_; }
  // The exit status (or 128+signal) once it exits within `timeout`, reading its output.
  std::optional<int> WaitExit(std::chrono::milliseconds timeout);

 private:
  PtyProcess(pid_t pid, int master) : pid_(pid), master_(master) {}
  // Appends what is readable within `timeout_ms`: 1 when it read some, 0 when nothing
  // came, -1 once the child's side is closed.
  int Pump(int timeout_ms);

  pid_t pid_;
  int master_;
  std::string output_;
  std::optional<int> exit_;
};

}  // namespace hfd::testing
