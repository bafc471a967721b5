// SHA-256 computed on a helper thread, so hashing a download overlaps with receiving it
// instead of stalling the socket between reads.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hub/sha256.h"

namespace hfd::hub {

// Update copies the bytes into a bounded queue (it blocks when the hasher is more than
// kMaxQueuedBytes behind). Update, HexDigest and Reset are for one producer thread.
class AsyncSha256 {
 public:
  AsyncSha256();
  ~AsyncSha256();
  AsyncSha256(const AsyncSha256&) = delete;
  AsyncSha256& operator=(const AsyncSha256&) = delete;

  void Update(const void* data, size_t size);
  // Waits for the queued bytes, returns the hex digest and resets.
  std::string HexDigest();
  // Drops the state: the next Update starts a new digest.
  void Reset();

  static constexpr size_t kMaxQueuedBytes = 16u << 20;

 private:
  void Run();
  void Drain(std::unique_lock<std::mutex>& lock);

  Sha256 hasher_;  // used by the worker only, or by the producer once the queue is drained
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::vector<char>> queue_;
  size_t queued_bytes_ = 0;
  bool busy_ = false;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace hfd::hub
