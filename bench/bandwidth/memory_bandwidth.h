// The machine's memory read bandwidth, measured the way batch-1 decode reads weights: all
// threads streaming through a buffer far larger than the last-level cache. Decode
// efficiency is quoted against this figure, measured in the same run.
#pragma once

#include <cstdint>

#include "backends/cpu/kernels/thread_pool.h"

namespace hfd::bench {

struct BandwidthResult {
  double best_gbps = 0.0;    // best of the runs, 1e9 bytes per second
  double median_gbps = 0.0;  // median of the runs
  int64_t bytes = 0;         // buffer size
  int threads = 0;
  int runs = 0;
};

// Reads a `bytes`-long buffer `runs` times with every thread of `pool` (each thread a
// share of it). Allocates and touches the buffer first; frees it before returning.
BandwidthResult MeasureReadBandwidth(cpu::ThreadPool& pool, int64_t bytes, int runs);

}  // namespace hfd::bench
