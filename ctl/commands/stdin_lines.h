// Reads stdin line by line for the interactive chat, noticing Ctrl-C: with
// Session::KeepRunningOnInterrupt() the signal interrupts the wait (poll() is never
// restarted), and the partly typed line is dropped, as a shell does. Single-threaded.
#pragma once

#include <functional>
#include <string>

namespace hfd::ctl {

class StdinLines {
 public:
  enum class Event { kLine, kEnd, kInterrupted };

  // Waits for the next line (without its newline). kEnd at end of input (Ctrl-D on a
  // terminal); kInterrupted when `interrupted()` is true after a signal woke the wait.
  Event Next(std::string& line, const std::function<bool()>& interrupted);

 private:
  std::string buffer_;
  bool end_ = false;
};

// All of stdin (for a prompt piped into `hfctl run`).
std::string ReadAllStdin();

}  // namespace hfd::ctl
