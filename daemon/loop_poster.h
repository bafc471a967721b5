// Runs closures on the libuv loop thread on behalf of other threads: Post() queues,
// uv_async_send wakes the loop (it merges wake-ups, so the callback drains the queue).
#pragma once

#include <uv.h>

#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "hfd/status.h"

namespace hfd::daemon {

class LoopPoster {
 public:
  explicit LoopPoster(uv_loop_t* loop);
  ~LoopPoster();
  LoopPoster(const LoopPoster&) = delete;
  LoopPoster& operator=(const LoopPoster&) = delete;

  // Call on the loop thread, which it remembers, before any Post().
  Status Start();

  // Any thread. Queued closures run in order on the loop thread; after Close() they are
  // dropped.
  void Post(std::function<void()> task);

  // Runs `task` now when called on the loop thread, else posts it.
  void RunOnLoop(std::function<void()> task);

  bool OnLoopThread() const { return std::this_thread::get_id() == loop_thread_; }

  // Loop thread: stops accepting tasks and closes the async handle.
  void Close();

 private:
  static void OnAsync(uv_async_t* handle);
  void Drain();

  uv_loop_t* loop_;
  std::thread::id loop_thread_;
  uv_async_t* async_ = nullptr;  // freed in its close callback
  std::mutex mutex_;
  std::vector<std::function<void()>> queue_;  // guarded by mutex_
  bool closed_ = false;                       // guarded by mutex_
};

}  // namespace hfd::daemon
