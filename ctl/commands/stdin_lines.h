// Reads stdin line by line for the interactive chat when stdin is a pipe (or a terminal
// that the line editor could not take), noticing Ctrl-C: with
// Session::KeepRunningOnInterrupt() the signal interrupts the wait, and the partly typed
// line is dropped, as a shell does. Single-threaded (SIGINT must reach this thread).
#pragma once

#include <functional>
#include <string>

#include "ctl/repl/line_reader.h"

namespace hfd::ctl {

class StdinLines : public LineReader {
 public:
  using Event = LineEvent;

  // `interrupted` tells whether Ctrl-C was pressed. `show_prompt`: print the prompt of
  // Read() (a terminal without the line editor).
  explicit StdinLines(std::function<bool()> interrupted, bool show_prompt = false)
      : interrupted_(std::move(interrupted)), show_prompt_(show_prompt) {}

  // Waits for the next line (without its newline). kEnd at end of input (Ctrl-D on a
  // terminal); kInterrupted when `interrupted()` is true before or during the wait, so
  // the caller clears that flag once it has acted on an earlier Ctrl-C.
  Event Next(std::string& line);

  LineEvent Read(const std::string& prompt, std::string& line) override;
  void Remember(const std::string&) override {}  // a pipe has no history to go back in

 private:
  std::function<bool()> interrupted_;
  bool show_prompt_;
  std::string buffer_;
  bool end_ = false;
};

// All of stdin (for a prompt piped into `hfctl run`).
std::string ReadAllStdin();

}  // namespace hfd::ctl
