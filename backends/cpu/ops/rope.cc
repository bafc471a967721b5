#include "backends/cpu/ops/rope.h"

#include <cmath>
#include <vector>

namespace hfd::cpu {

void Rope(const float* x, float* y, int64_t n_tokens, int32_t pos, int32_t n_head, int32_t head_dim,
          runtime::RopeLayout layout, const float* inv_freq, const int32_t* text_begin) {
  const int32_t half = head_dim / 2;
  // Where the two elements of pair i sit within a head.
  const bool interleaved = layout == runtime::RopeLayout::kInterleaved;
  const int32_t stride_i = interleaved ? 2 : 1;
  const int32_t partner = interleaved ? 1 : half;
  std::vector<float> cos_t(half), sin_t(half);
  for (int64_t t = 0; t < n_tokens; ++t) {
    // The angle is rounded to float like transformers' float32 position × inv_freq.
    const float p = static_cast<float>(text_begin != nullptr ? t - text_begin[t] : pos + t);
    for (int32_t i = 0; i < half; ++i) {
      const double angle = p * inv_freq[i];
      cos_t[i] = static_cast<float>(std::cos(angle));
      sin_t[i] = static_cast<float>(std::sin(angle));
    }
    for (int32_t h = 0; h < n_head; ++h) {
      const int64_t base = (t * n_head + h) * head_dim;
      for (int32_t i = 0; i < half; ++i) {
        const int64_t a = base + i * stride_i, b = a + partner;
        const float x0 = x[a], x1 = x[b];
        y[a] = x0 * cos_t[i] - x1 * sin_t[i];
        y[b] = x0 * sin_t[i] + x1 * cos_t[i];
      }
    }
  }
}

}  // namespace hfd::cpu
