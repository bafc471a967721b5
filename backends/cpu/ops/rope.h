// Rotary position embedding on the CPU, both pairings (graph.h, OpKind::kRope).
#pragma once

#include <cstdint>

#include "engine/runtime/graph.h"

namespace hfd::cpu {

// y = x rotated: row t (of attrs.n_head heads × head_dim) at position pos + t; pair i of each
// head turns by (pos + t) * inv_freq[i] (rescaled per call under dynamic NTK), and cos/sin
// are multiplied by attrs.attn_factor. y may equal x. Thread-safe (no state).
void Rope(const float* x, float* y, int64_t n_tokens, int32_t pos, const runtime::RopeAttrs& attrs,
          const float* inv_freq);

}  // namespace hfd::cpu
