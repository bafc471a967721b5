// Reads stdin line by line for the interactive chat, noticing Ctrl-C: with
// Session::KeepRunningOnInterrupt() the signal interrupts the wait, and the partly typed
// line is dropped, as a shell does. Single-threaded (SIGINT must reach this thread).
#pragma once

#include <functional>
#include <string>

namespace hfd::ctl {

class StdinLines {
 public:
  enum class Event { kLine, kEnd, kInterrupted };

  // Waits for the next line (without its newline). kEnd at end of input (Ctrl-D on a
  // terminal); kInterrupted when `interrupted()` is true before or during the wait, so
  // the caller clears that flag once it has acted on an earlier Ctrl-C.
  Event Next(std::string& line, const std::function<bool()>& interrupted);

 private:
  std::string buffer_;
  bool end_ = false;
};

// All of stdin (for a prompt piped into `hfctl run`).
std::string ReadAllStdin();

}  // namespace hfd::ctl
