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

}  // namespace hfd::runtime
