#include "ctl/commands/stdin_lines.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <iterator>

namespace hfd::ctl {

StdinLines::Event StdinLines::Next(std::string& line, const std::function<bool()>& interrupted) {
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
    pollfd in{STDIN_FILENO, POLLIN, 0};
    const int ready = ::poll(&in, 1, -1);
    ssize_t n = -1;
    if (ready > 0) {
      char chunk[4096];
      n = ::read(STDIN_FILENO, chunk, sizeof(chunk));
      if (n > 0) buffer_.append(chunk, static_cast<size_t>(n));
    }
    if (n < 0 && errno == EINTR && interrupted()) {
      buffer_.clear();
      return Event::kInterrupted;
    }
    if (n == 0 || (n < 0 && errno != EINTR)) end_ = true;
  }
}

std::string ReadAllStdin() {
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

}  // namespace hfd::ctl
