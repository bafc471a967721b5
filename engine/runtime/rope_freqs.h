// RoPE inverse frequencies, computed once by the architecture code and stored in the
// graph as a constant, so that no backend computes them (or knows about scaling).
#pragma once

#include <vector>

namespace hfd::runtime {

// inv_freq[i] = theta^(-2i / head_dim) for i < head_dim / 2, with the exponent and the
// power in float32 as transformers computes them.
std::vector<float> RopeInvFreqs(int head_dim, double theta);

}  // namespace hfd::runtime
