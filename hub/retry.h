// Retry policy for transient Hub failures: exponential backoff with jitter, honouring
// Retry-After, bounded in attempts and in total time.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "hfd/status.h"

namespace hfd::hub {

using Millis = std::chrono::milliseconds;

struct RetryPolicy {
  int max_attempts = 6;              // first try included
  Millis initial_backoff{500};       // doubled per retry, then jittered to [50%, 100%]
  Millis max_backoff{30000};         // cap for computed delays (Retry-After may exceed it)
  Millis max_total{10 * 60 * 1000};  // no retry starts once this much time has passed
  // Chooses the wait actually taken for the wait asked for; null takes it in full. Tests
  // substitute a recorder that returns a shorter wait. Called from the thread that
  // retries (the download thread for blob downloads): it must return at once.
  std::function<Millis(Millis asked)> pace;
};

// A retry about to wait, for the user to see what is happening ("retry 2 of 5 in 4 s").
struct RetryNotice {
  int retry = 0;       // 1 for the first retry
  int retries = 0;     // at most this many (the policy's attempts less the first)
  Millis wait{0};      // before it starts
  std::string reason;  // the failure it retries after
};
// Called on the thread that retries; must return at once.
using RetryFn = std::function<void(const RetryNotice&)>;

// Parses a Retry-After value: delta seconds or an HTTP date (relative to now).
std::optional<Millis> ParseRetryAfter(std::string_view value);

// Counts attempts of one operation and waits between them. Not thread-safe.
class RetryState {
 public:
  // `on_retry` (may be empty) hears of each retry NextWait grants.
  RetryState(const RetryPolicy& policy, const std::atomic<bool>* cancel, RetryFn on_retry = {});

  // After a retryable `failure`: the wait before another attempt may start (the backoff,
  // or `retry_after` when the server asked, passed through policy.pace), counting that
  // attempt and telling on_retry; or `failure` explaining that retries are exhausted.
  // Waits nowhere.
  Result<Millis> NextWait(const Status& failure, std::optional<Millis> retry_after);
  // NextWait, then sleeps that long. Returns Cancelled if cancelled while waiting.
  Status BeforeRetry(const Status& failure, std::optional<Millis> retry_after);

  int attempts_made() const { return attempts_; }

 private:
  Millis NextBackoff();

  const RetryPolicy& policy_;
  const std::atomic<bool>* cancel_;
  RetryFn on_retry_;
  std::chrono::steady_clock::time_point start_;
  int attempts_ = 1;
  std::mt19937 rng_;
};

// Sleeps up to `duration`, returning Cancelled early when `cancel` becomes true.
Status SleepCancellable(Millis duration, const std::atomic<bool>* cancel);

}  // namespace hfd::hub
