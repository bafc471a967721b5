#include "ctl/commands/stdin_lines.h"

#include <poll.h>
#include <signal.h>
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
    // SIGINT stays blocked from the flag check until ppoll() atomically unblocks it, so a
    // Ctrl-C that lands just before the wait wakes it instead of being lost until the
    // next key (a plain check-then-poll() missed it).
    sigset_t sigint;
    sigset_t unblocked;
    sigemptyset(&sigint);
    sigaddset(&sigint, SIGINT);
    ::sigprocmask(SIG_BLOCK, &sigint, &unblocked);
    if (interrupted()) {
      ::sigprocmask(SIG_SETMASK, &unblocked, nullptr);
      buffer_.clear();
      return Event::kInterrupted;
    }
    pollfd in{STDIN_FILENO, POLLIN, 0};
    const int ready = ::ppoll(&in, 1, nullptr, &unblocked);
    const int poll_errno = errno;
    ::sigprocmask(SIG_SETMASK, &unblocked, nullptr);
    if (ready < 0) {
      if (poll_errno != EINTR) end_ = true;  // else the check above decides
      continue;
    }
    char chunk[4096];
    const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof(chunk));
    if (n > 0) buffer_.append(chunk, static_cast<size_t>(n));
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) end_ = true;
  }
}

std::string ReadAllStdin() {
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

}  // namespace hfd::ctl
