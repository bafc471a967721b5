// Which neighbouring graph ops the Vulkan recorder runs as one kernel. Decode on a large
// GPU is bound by the number of dispatches and barriers per token, not by arithmetic, so
// the common chains of a transformer block are merged:
//   add + rms_norm              -> add_rms_norm (the residual sum and its norm)
//   matmul + add_bias           -> one matrix-vector kernel that adds the bias
//   matmul gate, matmul up, swiglu or geglu -> one matrix-vector kernel over both matrices
//   the same over experts (moe_matmul)      -> one route-indexed kernel over both
//   the same with each product's per-expert bias (moe_add_bias) and gpt-oss's clamped
//   SwiGLU                                  -> the route-indexed kernel adding the biases
//   rope q, rope k, (sink) attention -> rope_kv_store (rotates q and k, writes k and v to the
//                                  cache), then the attention kernel
// The plan depends only on the graph's shape; whether two matrices can share a kernel
// (same type, one buffer each) is checked when recording, which falls back to one
// dispatch per op.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/runtime/graph.h"

namespace hfd::vk {

enum class Fusion : uint8_t {
  kNone,           // one op
  kAddRmsNorm,     // ops: add, rms_norm (over whole rows) of the sum
  kMatMulBias,     // ops: matmul, add_bias of its output
  kGatedMatMul,    // ops: matmul gate, matmul up (same input), swiglu or geglu(gate, up)
  kRopeAttention,  // ops: rope q, rope k, attention or sink attention(q, k, v)
  // ops: moe_matmul gate, moe_matmul up (same input and routes), swiglu, geglu or
  // clamped_swiglu
  kGatedMoeMatMul,
  // ops: moe_matmul gate, moe_add_bias of it, moe_matmul up, moe_add_bias of it (same input
  // and routes throughout), swiglu, geglu or clamped_swiglu of the two sums
  kGatedMoeMatMulBias,
};

struct Step {
  Fusion kind = Fusion::kNone;
  int32_t first = 0;  // index of the step's first op
  int32_t count = 1;  // ops it covers
};

// The steps covering every op of `graph` in order. `matvec`: the call's matmuls use the
// matrix-vector kernel (few tokens), the only one with bias and gated variants.
// `enabled` false gives one step per op.
std::vector<Step> PlanSteps(const runtime::Graph& graph, bool matvec, bool enabled = true);

// Per op, the index of the last op of its step (for runtime::PlanMemory).
std::vector<int32_t> GroupEnds(const std::vector<Step>& steps, size_t n_ops);

}  // namespace hfd::vk
