#include "tests/ctl/pty_process.h"

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <thread>

namespace hfd::testing {
namespace {

using Clock = std::chrono::steady_clock;

int MillisecondsLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<long long>(left.count(), 0));
}

}  // namespace

std::unique_ptr<PtyProcess> PtyProcess::Start(const std::vector<std::string>& argv,
                                              const std::vector<std::string>& env) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) return nullptr;
  if (pid == 0) {
    for (const std::string& e : env) ::putenv(const_cast<char*>(e.c_str()));
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return std::unique_ptr<PtyProcess>(new PtyProcess(pid, master));
}

PtyProcess::~PtyProcess() {
  if (!exit_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  ::close(master_);
}

bool PtyProcess::Write(std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(master_, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

int PtyProcess::Pump(int timeout_ms) {
  pollfd p{master_, POLLIN, 0};
  const int ready = ::poll(&p, 1, timeout_ms);
  if (ready <= 0) return ready == 0 || errno == EINTR ? 0 : -1;
  char buffer[4096];
  const ssize_t n = ::read(master_, buffer, sizeof(buffer));
  if (n > 0) output_.append(buffer, static_cast<size_t>(n));
  if (n < 0 && errno == EINTR) return 0;
  // Linux reports EIO on the master once the child's side is closed.
  return n > 0 ? 1 : -1;
}

std::optional<size_t> PtyProcess::WaitFor(std::string_view text, size_t from,
                                          std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (const size_t at = output_.find(text, std::min(from, output_.size()));
        at != std::string::npos) {
      return at;
    }
    if (Clock::now() >= deadline || Pump(std::min(MillisecondsLeft(deadline), 100)) < 0) {
      return std::nullopt;
    }
  }
}

bool PtyProcess::WaitForOutputBeyond(size_t size, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (output_.size() <= size) {
    if (Clock::now() >= deadline || Pump(std::min(MillisecondsLeft(deadline), 100)) < 0) {
      return false;
    }
  }
  return true;
}

std::optional<int> PtyProcess::WaitExit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!exit_) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    if (Pump(std::min(MillisecondsLeft(deadline), 50)) < 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  while (Pump(0) > 0) {
  }
  return exit_;
}

}  // namespace hfd::testing
