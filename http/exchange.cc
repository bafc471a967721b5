#include "http/exchange.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hfd::http {

Exchange::Exchange(int client_fd)
    : client_fd_(client_fd), event_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

Exchange::~Exchange() {
  if (event_fd_ >= 0) ::close(event_fd_);
}

void Exchange::Wake() {
  const std::uint64_t one = 1;
  // A full counter already wakes the reader; nothing else can fail on an eventfd.
  [[maybe_unused]] const ssize_t n = ::write(event_fd_, &one, sizeof(one));
}

void Exchange::Commit() {
  {
    std::lock_guard lock(mu_);
    committed_ = true;
  }
  Wake();
}

void Exchange::Write(std::string_view bytes) {
  {
    std::lock_guard lock(mu_);
    committed_ = true;
    buffer_.append(bytes);
  }
  Wake();
}

void Exchange::End() {
  {
    std::lock_guard lock(mu_);
    ended_ = true;
  }
  Wake();
}

void Exchange::Fail(Status error) {
  {
    std::lock_guard lock(mu_);
    error_ = std::move(error);
    ended_ = true;
  }
  Wake();
}

template <typename Ready>
bool Exchange::WaitUntil(Ready ready) {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (ready()) return true;
    }
    // Without an eventfd (descriptors exhausted) nothing could wake this thread.
    if (cancel_ || event_fd_ < 0) {
      cancel_ = true;
      return false;
    }
    pollfd fds[2] = {{event_fd_, POLLIN, 0}, {client_fd_, POLLRDHUP, 0}};
    const nfds_t count = client_fd_ >= 0 ? 2 : 1;
    if (::poll(fds, count, -1) < 0 && errno != EINTR) {
      cancel_ = true;
      return false;
    }
    if (count == 2 && (fds[1].revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0) {
      cancel_ = true;
      return false;
    }
    std::uint64_t drained = 0;
    [[maybe_unused]] const ssize_t n = ::read(event_fd_, &drained, sizeof(drained));
  }
}

bool Exchange::WaitCommittedOrEnded() {
  return WaitUntil([this] { return committed_ || ended_; });
}

bool Exchange::WaitEnded() {
  return WaitUntil([this] { return ended_; });
}

ssize_t Exchange::Read(char* out, size_t max) {
  if (!WaitUntil([this] { return !buffer_.empty() || ended_; })) return -2;
  std::lock_guard lock(mu_);
  if (buffer_.empty()) return -1;
  const size_t n = std::min(max, buffer_.size());
  std::memcpy(out, buffer_.data(), n);
  buffer_.erase(0, n);
  return static_cast<ssize_t>(n);
}

bool Exchange::committed() const {
  std::lock_guard lock(mu_);
  return committed_;
}

Status Exchange::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

std::string Exchange::TakeBody() {
  std::lock_guard lock(mu_);
  return std::exchange(buffer_, std::string());
}

}  // namespace hfd::http
