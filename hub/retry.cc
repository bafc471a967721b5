#include "hub/retry.h"

#include <curl/curl.h>

#include <algorithm>
#include <ctime>
#include <string>
#include <thread>

namespace hfd::hub {

std::optional<Millis> ParseRetryAfter(std::string_view value) {
  std::string v(value);
  while (!v.empty() && v.back() == ' ') v.pop_back();
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (v.size() > 9) return std::nullopt;
    return Millis(std::stoll(v) * 1000);
  }
  const time_t when = curl_getdate(v.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  const time_t now = std::time(nullptr);
  return Millis(std::max<int64_t>(0, static_cast<int64_t>(when - now)) * 1000);
}

RetryState::RetryState(const RetryPolicy& policy, const std::atomic<bool>* cancel, RetryFn on_retry)
    : policy_(policy),
      cancel_(cancel),
      on_retry_(std::move(on_retry)),
      start_(std::chrono::steady_clock::now()),
      rng_(std::random_device{}()) {}

Millis RetryState::NextBackoff() {
  const int doublings = std::min(attempts_ - 1, 20);
  const int64_t base =
      std::min<int64_t>(policy_.initial_backoff.count() << doublings, policy_.max_backoff.count());
  std::uniform_int_distribution<int64_t> jitter(base / 2, std::max<int64_t>(base, 1));
  return Millis(jitter(rng_));
}

Result<Millis> RetryState::NextWait(const Status& failure, std::optional<Millis> retry_after) {
  if (attempts_ >= policy_.max_attempts) {
    return failure.WithContext("gave up after " + std::to_string(attempts_) + " attempts");
  }
  const Millis delay = retry_after ? *retry_after : NextBackoff();
  const auto elapsed =
      std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - start_);
  if (elapsed + delay > policy_.max_total) {
    return DeadlineExceeded("retry budget of " + std::to_string(policy_.max_total.count() / 1000) +
                            " s exhausted (next wait " + std::to_string(delay.count()) +
                            " ms); last error: " + failure.message());
  }
  ++attempts_;
  const Millis wait = policy_.pace ? policy_.pace(delay) : delay;
  if (on_retry_) on_retry_({attempts_ - 1, policy_.max_attempts - 1, wait, failure.message()});
  return wait;
}

Status RetryState::BeforeRetry(const Status& failure, std::optional<Millis> retry_after) {
  HFD_ASSIGN_OR_RETURN(Millis wait, NextWait(failure, retry_after));
  return SleepCancellable(wait, cancel_);
}

Status SleepCancellable(Millis duration, const std::atomic<bool>* cancel) {
  const auto deadline = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cancel != nullptr && cancel->load()) return Cancelled("pull cancelled");
    const auto left =
        std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    std::this_thread::sleep_for(std::clamp(left, Millis(0), Millis(50)));
  }
  if (cancel != nullptr && cancel->load()) return Cancelled("pull cancelled");
  return Status::Ok();
}

}  // namespace hfd::hub
