#include "backends/cpu/ops/elementwise.h"

#include <algorithm>
#include <cmath>

namespace hfd::cpu {

void RmsNorm(const float* x, const float* w, float* y, int64_t n, int64_t group, float eps) {
  for (int64_t g = 0; g < n; g += group) {
    // Sum in double: RMSNorm of a 4096-wide row of large activations must not drift.
    double sum_sq = 0.0;
    for (int64_t i = 0; i < group; ++i) sum_sq += static_cast<double>(x[g + i]) * x[g + i];
    const float scale = static_cast<float>(1.0 / std::sqrt(sum_sq / group + eps));
    for (int64_t i = 0; i < group; ++i) y[g + i] = x[g + i] * scale * w[i];
  }
}

void AddBias(const float* x, const float* bias, float* y, int64_t rows, int64_t width) {
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < width; ++i) y[r * width + i] = x[r * width + i] + bias[i];
  }
}

void SwiGLU(const float* gate, const float* up, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

void ClampedSwiGLU(const float* gate, const float* up, float* y, int64_t n, float alpha,
                   float limit) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = std::fmin(gate[i], limit);
    const float u = std::clamp(up[i], -limit, limit);
    y[i] = (u + 1.0f) * g / (1.0f + std::exp(-alpha * g));
  }
}

void Scale(const float* x, float scale, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * scale;
}

}  // namespace hfd::cpu
