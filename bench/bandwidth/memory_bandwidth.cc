#include "bench/bandwidth/memory_bandwidth.h"

#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

namespace hfd::bench {
namespace {

// Sums 64-bit words 256 bytes at a time into independent accumulators so the loop is
// bound by loads, not by a dependency chain. Compiled for AVX2 (32-byte loads) and
// used only when the CPU has it.
__attribute__((target("avx2"))) uint64_t ReadAvx2(const uint8_t* p, int64_t n) {
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
  for (int64_t i = 0; i + 256 <= n; i += 256) {
    const __m256i* v = reinterpret_cast<const __m256i*>(p + i);
    a0 = _mm256_add_epi64(a0, _mm256_add_epi64(_mm256_load_si256(v), _mm256_load_si256(v + 4)));
    a1 = _mm256_add_epi64(a1, _mm256_add_epi64(_mm256_load_si256(v + 1), _mm256_load_si256(v + 5)));
    a2 = _mm256_add_epi64(a2, _mm256_add_epi64(_mm256_load_si256(v + 2), _mm256_load_si256(v + 6)));
    a3 = _mm256_add_epi64(a3, _mm256_add_epi64(_mm256_load_si256(v + 3), _mm256_load_si256(v + 7)));
  }
  const __m256i s = _mm256_add_epi64(_mm256_add_epi64(a0, a1), _mm256_add_epi64(a2, a3));
  alignas(32) uint64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), s);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

uint64_t ReadPortable(const uint8_t* p, int64_t n) {
  const uint64_t* w = reinterpret_cast<const uint64_t*>(p);
  uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  for (int64_t i = 0; i + 4 <= n / 8; i += 4) {
    a0 += w[i];
    a1 += w[i + 1];
    a2 += w[i + 2];
    a3 += w[i + 3];
  }
  return a0 + a1 + a2 + a3;
}

volatile uint64_t g_sink = 0;

struct FreeDeleter {
  void operator()(uint8_t* p) const { std::free(p); }
};

}  // namespace

BandwidthResult MeasureReadBandwidth(cpu::ThreadPool& pool, int64_t bytes, int runs) {
  constexpr int64_t kSlice = 1 << 20;  // work unit: 1 MiB
  bytes = std::max<int64_t>(kSlice, bytes / kSlice * kSlice);
  std::unique_ptr<uint8_t, FreeDeleter> buf(
      static_cast<uint8_t*>(std::aligned_alloc(4096, static_cast<size_t>(bytes))));
  const bool avx2 = __builtin_cpu_supports("avx2");
  const int64_t n_slices = bytes / kSlice;
  // Touch every page from the threads that will read it, with non-zero data.
  pool.ParallelFor(n_slices, [&](int64_t b, int64_t e, int) {
    std::memset(buf.get() + b * kSlice, 0x5a, static_cast<size_t>((e - b) * kSlice));
  });

  std::vector<double> gbps;
  std::vector<uint64_t> sink(pool.size());
  for (int r = 0; r < runs; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    pool.ParallelFor(n_slices, [&](int64_t b, int64_t e, int thread) {
      const uint8_t* p = buf.get() + b * kSlice;
      const int64_t n = (e - b) * kSlice;
      sink[thread] += avx2 ? ReadAvx2(p, n) : ReadPortable(p, n);
    });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    gbps.push_back(static_cast<double>(bytes) / s / 1e9);
  }
  std::sort(gbps.begin(), gbps.end());
  BandwidthResult result;
  result.best_gbps = gbps.back();
  result.median_gbps = gbps[gbps.size() / 2];
  result.bytes = bytes;
  result.threads = pool.size();
  result.runs = runs;
  // Publish the sums so the compiler cannot drop the reads.
  for (uint64_t v : sink) g_sink = g_sink + v;
  return result;
}

}  // namespace hfd::bench
