// Rotary position embedding on the CPU, both pairings (graph.h, OpKind::kRope and
// kTextRope).
#pragma once

#include <cstdint>

#include "engine/runtime/graph.h"

namespace hfd::cpu {

// y = x rotated: row t (of rope.n_head heads × rope.head_dim) at position pos + t; pair i
// of the rotated part of each head turns by (pos + t) * inv_freq[i] (rescaled per call
// under dynamic NTK) with cos and sin times rope.attn_factor, the rest is copied. With
// `text_begin` (kTextRope), row t is at its position within its text instead,
// t - text_begin[t]. y may equal x. Thread-safe (no state).
void Rope(const float* x, float* y, int64_t n_tokens, int32_t pos, const runtime::RopeAttrs& rope,
          const float* inv_freq, const int32_t* text_begin = nullptr);

}  // namespace hfd::cpu
