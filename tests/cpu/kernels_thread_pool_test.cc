#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include "backends/cpu/kernels/thread_pool.h"

namespace hfd::cpu {
namespace {

// Every index is visited exactly once, by a valid thread id.
void ExpectCoversOnce(ThreadPool& pool, int64_t n) {
  std::vector<std::atomic<int>> hits(n);
  std::atomic<bool> bad_thread{false};
  pool.ParallelFor(n, [&](int64_t begin, int64_t end, int thread) {
    if (thread < 0 || thread >= pool.size()) bad_thread = true;
    for (int64_t i = begin; i < end; ++i) hits[i].fetch_add(1);
  });
  EXPECT_FALSE(bad_thread);
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << "index " << i << " of " << n;
}

TEST(KernelsThreadPool, CoversEveryIndexOnce) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    for (int64_t n : {1, 2, 3, 7, 64, 1001}) ExpectCoversOnce(pool, n);
  }
}

TEST(KernelsThreadPool, ZeroThreadsMeansAllCores) {
  ThreadPool pool(0);
  EXPECT_GE(pool.size(), 1);
  ExpectCoversOnce(pool, 100);
}

TEST(KernelsThreadPool, EmptyRangeCallsNothing) {
  ThreadPool pool(2);
  bool called = false;
  pool.ParallelFor(0, [&](int64_t, int64_t, int) { called = true; });
  EXPECT_FALSE(called);
}

// Decode dispatches hundreds of small jobs per token; none may be lost or run twice.
TEST(KernelsThreadPool, ManyBackToBackCalls) {
  ThreadPool pool(3);
  std::atomic<int64_t> total{0};
  for (int call = 0; call < 2000; ++call) {
    pool.ParallelFor(9, [&](int64_t begin, int64_t end, int) { total += end - begin; });
  }
  EXPECT_EQ(total.load(), 2000 * 9);
}

TEST(KernelsThreadPool, NestedCallRunsInline) {
  ThreadPool pool(2);
  std::atomic<int64_t> inner{0};
  pool.ParallelFor(4, [&](int64_t begin, int64_t end, int) {
    for (int64_t i = begin; i < end; ++i) {
      pool.ParallelFor(5, [&](int64_t b, int64_t e, int) { inner += e - b; });
    }
  });
  EXPECT_EQ(inner.load(), 20);
}

}  // namespace
}  // namespace hfd::cpu
