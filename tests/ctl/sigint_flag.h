// For tests of the chat's line readers: SIGINT handled as hfctl's interactive chat
// handles it (a flag set, reads restarted), for the lifetime of a ScopedSigintFlag.
#pragma once

#include <signal.h>

#include <atomic>

namespace hfd::testing {

class ScopedSigintFlag {
 public:
  ScopedSigintFlag() {
    struct sigaction action {};
    action.sa_handler = &ScopedSigintFlag::OnSigint;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &saved_);
    flag().store(false);
  }
  ~ScopedSigintFlag() { ::sigaction(SIGINT, &saved_, nullptr); }
  ScopedSigintFlag(const ScopedSigintFlag&) = delete;
  ScopedSigintFlag& operator=(const ScopedSigintFlag&) = delete;

  // Set by each SIGINT; the tests clear it.
  static std::atomic<bool>& flag() {
    static std::atomic<bool> interrupted{false};
    return interrupted;
  }

 private:
  static void OnSigint(int) { flag().store(true); }
  struct sigaction saved_ {};
};

}  // namespace hfd::testing
