// The CPU backend: runs graphs with the SIMD kernels of backends/cpu/kernels over weights
// used in place from the model's memory map.
#pragma once

#include <memory>

#include "engine/runtime/backend.h"

namespace hfd::cpu {

struct CpuBackendOptions {
  int n_threads = 0;  // 0: every core the process may run on
};

// A new CPU backend with its own thread pool. Never fails; thread-compatible (one caller
// at a time, see backend.h).
std::unique_ptr<runtime::Backend> CreateCpuBackend(const CpuBackendOptions& options);

}  // namespace hfd::cpu
