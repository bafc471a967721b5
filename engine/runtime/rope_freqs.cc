#include "engine/runtime/rope_freqs.h"

#include <cmath>

namespace hfd::runtime {

std::vector<float> RopeInvFreqs(int head_dim, double theta) {
  std::vector<float> freqs(head_dim / 2);
  for (int i = 0; i < head_dim / 2; ++i) {
    const float exponent = static_cast<float>(2 * i) / static_cast<float>(head_dim);
    freqs[i] = static_cast<float>(1.0 / std::pow(static_cast<float>(theta), exponent));
  }
  return freqs;
}

double DynamicNtkBaseScale(double factor, int64_t original_ctx, int64_t seq_len, int head_dim) {
  if (seq_len <= original_ctx || original_ctx <= 0 || head_dim <= 2) return 1.0;
  const double grown = factor * static_cast<double>(seq_len) / static_cast<double>(original_ctx);
  return std::pow(grown - (factor - 1.0), static_cast<double>(head_dim) / (head_dim - 2));
}

void ScaleRopeBase(const float* inv_freq, int head_dim, double base_scale, float* out) {
  for (int i = 0; i < head_dim / 2; ++i) {
    out[i] = static_cast<float>(inv_freq[i] * std::pow(base_scale, -2.0 * i / head_dim));
  }
}

}  // namespace hfd::runtime
