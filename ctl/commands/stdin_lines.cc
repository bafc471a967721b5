#include "ctl/commands/stdin_lines.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <iterator>

#include "ctl/repl/input_wait.h"

namespace hfd::ctl {

StdinLines::Event StdinLines::Next(std::string& line) {
  for (;;) {
    if (const size_t newline = buffer_.find('\n'); newline != std::string::npos) {
      line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return Event::kLine;
    }
    if (end_) {
      if (buffer_.empty()) return Event::kEnd;
      line = std::move(buffer_);  // a last line without a newline
      buffer_.clear();
      return Event::kLine;
    }
    switch (WaitForInput(STDIN_FILENO, interrupted_)) {
      case InputWait::kInterrupted:
        buffer_.clear();
        return Event::kInterrupted;
      case InputWait::kSignal:
        continue;
      case InputWait::kError:
        end_ = true;
        continue;
      case InputWait::kReady:
        break;
    }
    char chunk[4096];
    const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof(chunk));
    if (n > 0) buffer_.append(chunk, static_cast<size_t>(n));
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) end_ = true;
  }
}

LineEvent StdinLines::Read(const std::string& prompt, std::string& line) {
  if (show_prompt_) {
    std::fputs(prompt.c_str(), stdout);
    std::fflush(stdout);
  }
  return Next(line);
}

std::string ReadAllStdin() {
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

}  // namespace hfd::ctl
