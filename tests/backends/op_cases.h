// The op test's table: every graph op (engine/runtime/graph.h) on every weight type it
// takes, each as a small graph of that op fed by get_rows of F32 input tables, with the
// op's output computed in float64 from its definition in graph.h.
//
// Adding an op or a weight type to the engine means adding its case here (AllOpCases in
// op_cases.cc: one Add* call per op); op_test.cc then runs it on every CPU path and every
// Vulkan device, and fails while an op kind or a readable type has no case.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/runtime/backend.h"
#include "engine/runtime/graph.h"
#include "tests/backends/memory_model_files.h"

namespace hfd::testing {

// One Run of a case's graph: `tokens` name rows of the input tables (and of get_rows'
// weight); pos is the position of the first.
struct OpCall {
  int32_t pos = 0;
  std::vector<int32_t> tokens;
  std::vector<int32_t> seq_lens{};  // the texts the tokens form (RunParams); empty: one
};

// How far an output may be from what it is compared with: the largest difference over the
// RMS of the float64 reference output (all calls together).
struct OpTolerance {
  // The CPU path with int8 activations (ActPrecision::kInt8) against the reference: for
  // matmul on quantized weights this is the activations' rounding.
  double coarse = 0;
  // Every other comparison: the scalar path with finer activations against the reference,
  // each Vulkan device against that scalar path, and each SIMD path against the scalar
  // path of the same precision (at most kSimdTolerance: only the order of sums differs).
  double fine = 0;
};
inline constexpr double kSimdTolerance = 1e-5;

struct OpCase {
  std::string name;  // "matmul_Q4_K": unique, a single word
  runtime::OpKind op{};
  TensorType type = TensorType::kF32;  // the op's weight type; F32 for ops without one
  runtime::Graph graph;
  runtime::KvCacheDesc cache;
  std::vector<OpCall> calls;          // run in this order against one KV cache
  MemoryModelFiles::Tensors tensors;  // every weight the graph reads
  std::vector<double> reference;      // the outputs of all calls, concatenated
  OpTolerance tol;
};

// Every case, built on first use (deterministic). Thread-compatible.
const std::vector<OpCase>& AllOpCases();

// Every type hfd reads (IsSupportedType): get_rows and matmul have a case for each, and a
// backend must refuse those it has no kernels for.
std::vector<TensorType> AllTensorTypes();

}  // namespace hfd::testing
