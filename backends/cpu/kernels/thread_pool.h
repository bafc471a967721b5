// A fixed set of worker threads for data-parallel kernels. Decode calls ParallelFor
// hundreds of times per token, so dispatch is a generation counter that idle workers spin
// on briefly before sleeping on it (futex-backed std::atomic::wait), not a task queue.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hfd::cpu {

class ThreadPool {
 public:
  // Starts n_threads - 1 workers; the caller of ParallelFor is thread 0.
  // n_threads = 0 uses every core the process may run on.
  explicit ThreadPool(int n_threads);
  // Joins the workers. No ParallelFor may be running.
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Calls fn(begin, end, thread) over disjoint ranges covering [0, n_tasks) and returns
  // when all are done. Ranges are handed out dynamically in shrinking chunks, so one
  // thread may get several; `thread` (in [0, size())) identifies the calling thread for
  // per-thread scratch. fn must not throw. Calls from several threads are serialised; a call from
  // inside fn runs inline on the calling thread.
  void ParallelFor(int64_t n_tasks,
                   const std::function<void(int64_t begin, int64_t end, int thread)>& fn);

  // Number of threads that run work, the caller included.
  int size() const { return static_cast<int>(workers_.size()) + 1; }

 private:
  void WorkerLoop(int thread);
  // Takes chunks until none are left.
  void RunChunks(int thread);

  std::vector<std::thread> workers_;
  std::mutex call_mu_;  // one ParallelFor at a time

  // The current job; written by the caller before generation_ is bumped (release) and
  // read by workers after they observe the bump (acquire).
  const std::function<void(int64_t, int64_t, int)>* job_ = nullptr;
  int64_t n_tasks_ = 0;
  int64_t chunk_div_ = 1;  // a chunk is what is left over this, at least one task
  std::atomic<int64_t> next_{0};

  std::atomic<uint32_t> generation_{0};
  std::atomic<int> busy_workers_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace hfd::cpu
