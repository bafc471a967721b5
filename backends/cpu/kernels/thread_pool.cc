#include "backends/cpu/kernels/thread_pool.h"

#include <sched.h>

#include <algorithm>

namespace hfd::cpu {
namespace {

// How long an idle thread polls before sleeping: long enough to cover the gap between
// two kernels of one decode step, short enough not to burn a shared core for nothing.
constexpr int kSpinIterations = 1 << 14;
// While polling, offer the core to other runnable threads this often, so a spinning
// worker on a busy machine does not starve the thread it is waiting for.
constexpr int kYieldEvery = 256;

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Spins, then sleeps, until `value` differs from `old`.
template <typename T>
T AwaitChange(const std::atomic<T>& value, T old) {
  for (int i = 0; i < kSpinIterations; ++i) {
    T now = value.load(std::memory_order_acquire);
    if (now != old) return now;
    if (i % kYieldEvery == kYieldEvery - 1) {
      sched_yield();
    } else {
      CpuRelax();
    }
  }
  value.wait(old, std::memory_order_acquire);
  return value.load(std::memory_order_acquire);
}

int AvailableCores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

thread_local bool t_inside_pool = false;

}  // namespace

ThreadPool::ThreadPool(int n_threads) {
  int n = n_threads > 0 ? n_threads : AvailableCores();
  workers_.reserve(n - 1);
  for (int t = 1; t < n; ++t) workers_.emplace_back([this, t] { WorkerLoop(t); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::RunChunks(int thread) {
  int64_t begin = next_.load(std::memory_order_relaxed);
  while (begin < n_tasks_) {
    // Chunks shrink with what is left (1/chunk_div_ of it, at least one task): the first
    // are large, the last single tasks, so threads finish within about one task of each
    // other instead of one large chunk.
    const int64_t size = std::max<int64_t>(1, (n_tasks_ - begin) / chunk_div_);
    if (next_.compare_exchange_weak(begin, begin + size, std::memory_order_relaxed)) {
      (*job_)(begin, begin + size, thread);
      begin = next_.load(std::memory_order_relaxed);
    }
  }
}

void ThreadPool::WorkerLoop(int thread) {
  t_inside_pool = true;
  uint32_t seen = 0;
  for (;;) {
    seen = AwaitChange(generation_, seen);
    if (stop_.load(std::memory_order_relaxed)) return;
    RunChunks(thread);
    if (busy_workers_.fetch_sub(1, std::memory_order_acq_rel) == 1) busy_workers_.notify_one();
  }
}

void ThreadPool::ParallelFor(
    int64_t n_tasks, const std::function<void(int64_t begin, int64_t end, int thread)>& fn) {
  if (n_tasks <= 0) return;
  if (workers_.empty() || n_tasks == 1 || t_inside_pool) {
    fn(0, n_tasks, 0);
    return;
  }
  std::lock_guard<std::mutex> lock(call_mu_);
  t_inside_pool = true;
  job_ = &fn;
  n_tasks_ = n_tasks;
  // Several chunks per thread so a thread slowed by other load does not hold up the rest,
  // but not many: a matrix tile prefetches the next one, which at a chunk's end is usually
  // another thread's, so every chunk starts from memory (twice per thread, not four times,
  // ran 2 to 3 % faster decoding 1, 4 and 8 sequences: BENCHMARKS.md, "Q8_0's copy through
  // AMX").
  chunk_div_ = 2 * static_cast<int64_t>(size());
  next_.store(0, std::memory_order_relaxed);
  busy_workers_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();

  RunChunks(0);
  for (int busy = busy_workers_.load(std::memory_order_acquire); busy != 0;
       busy = busy_workers_.load(std::memory_order_acquire)) {
    AwaitChange(busy_workers_, busy);
  }
  job_ = nullptr;
  t_inside_pool = false;
}

}  // namespace hfd::cpu
