#include "backends/cpu/ops/rope.h"

#include <cmath>
#include <vector>

#include "engine/runtime/rope_freqs.h"

namespace hfd::cpu {

void Rope(const float* x, float* y, int64_t n_tokens, int32_t pos, const runtime::RopeAttrs& rope,
          const float* inv_freq, const int32_t* text_begin) {
  const int32_t head_dim = rope.head_dim;
  const int32_t n_rot = rope.n_rot > 0 ? rope.n_rot : head_dim;
  const int32_t half = n_rot / 2;
  // Where the two elements of pair i sit within a head.
  const bool interleaved = rope.layout == runtime::RopeLayout::kInterleaved;
  const int32_t stride_i = interleaved ? 2 : 1;
  const int32_t partner = interleaved ? 1 : half;
  std::vector<float> freqs(inv_freq, inv_freq + half);
  if (rope.ntk_factor > 0) {
    const double scale =
        runtime::DynamicNtkBaseScale(rope.ntk_factor, rope.ntk_original_ctx, pos + n_tokens, n_rot);
    if (scale != 1.0) runtime::ScaleRopeBase(inv_freq, n_rot, scale, freqs.data());
  }
  std::vector<float> cos_t(half), sin_t(half);
  for (int64_t t = 0; t < n_tokens; ++t) {
    // The angle is rounded to float like transformers' float32 position × inv_freq.
    const float p = static_cast<float>(text_begin != nullptr ? t - text_begin[t] : pos + t);
    for (int32_t i = 0; i < half; ++i) {
      const double angle = p * freqs[i];
      cos_t[i] = static_cast<float>(std::cos(angle)) * rope.attn_factor;
      sin_t[i] = static_cast<float>(std::sin(angle)) * rope.attn_factor;
    }
    for (int32_t h = 0; h < rope.n_head; ++h) {
      const int64_t base = (t * rope.n_head + h) * head_dim;
      for (int32_t i = 0; i < half; ++i) {
        const int64_t a = base + int64_t{i} * stride_i, b = a + partner;
        const float x0 = x[a], x1 = x[b];
        y[a] = x0 * cos_t[i] - x1 * sin_t[i];
        y[b] = x0 * sin_t[i] + x1 * cos_t[i];
      }
      if (y != x) {
        for (int32_t i = n_rot; i < head_dim; ++i) y[base + i] = x[base + i];
      }
    }
  }
}

}  // namespace hfd::cpu
