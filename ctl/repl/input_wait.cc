#include "ctl/repl/input_wait.h"

#include <poll.h>
#include <signal.h>

#include <cerrno>

namespace hfd::ctl {

InputWait WaitForInput(int fd, const std::function<bool()>& interrupted) {
  sigset_t sigint;
  sigset_t unblocked;
  sigemptyset(&sigint);
  sigaddset(&sigint, SIGINT);
  ::sigprocmask(SIG_BLOCK, &sigint, &unblocked);
  if (interrupted()) {
    ::sigprocmask(SIG_SETMASK, &unblocked, nullptr);
    return InputWait::kInterrupted;
  }
  pollfd in{fd, POLLIN, 0};
  const int ready = ::ppoll(&in, 1, nullptr, &unblocked);
  const int poll_errno = errno;
  ::sigprocmask(SIG_SETMASK, &unblocked, nullptr);
  if (ready > 0) return InputWait::kReady;
  if (poll_errno != EINTR) return InputWait::kError;
  return interrupted() ? InputWait::kInterrupted : InputWait::kSignal;
}

}  // namespace hfd::ctl
