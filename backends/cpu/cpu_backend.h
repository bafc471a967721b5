// The CPU backend: runs graphs with the SIMD kernels of backends/cpu/kernels over weights
// used in place from the model's memory map, or from their interleaved copy (a derived
// file, mapped too) where the kernels read one.
#pragma once

#include <memory>
#include <optional>

#include "backends/cpu/kernels/isa.h"
#include "backends/cpu/kernels/matmul.h"
#include "engine/runtime/backend.h"

namespace hfd::cpu {

struct CpuBackendOptions {
  int n_threads = 0;  // 0: every core the process may run on
  // How finely matrix products quantize activations for quantized weights: kInt8 (GGML's
  // Q8 activations, the fast default) or kInt8x2 (about 14 bits: within rounding of F32
  // math on the dequantized weights, for twice the integer work).
  ActPrecision activations = ActPrecision::kInt8;
  // The kernel path every op runs on; unset: ActiveIsa(). Lets one process compare paths
  // (tests/backends/op_test.cc); Compile refuses a path this CPU or build cannot run.
  std::optional<Isa> isa = std::nullopt;
  // Where the path reads it, keep an interleaved copy (kernels/rows16_layout.h) of the
  // Q8_0, Q4_0 and Q4_1 weights that only matrix products read, made at the first Compile
  // (ModelFiles::Derive: a file of the model's derived folder, mapped on later loads, or
  // memory), and read it instead of the model's file. Same results; false: tests comparing.
  bool interleave = true;
};

// A new CPU backend with its own thread pool. Never fails; thread-compatible (one caller
// at a time, see backend.h).
std::unique_ptr<runtime::Backend> CreateCpuBackend(const CpuBackendOptions& options);

}  // namespace hfd::cpu
