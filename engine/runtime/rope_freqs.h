// RoPE inverse frequencies, computed once by the architecture code and stored in the
// graph as a constant, so that no backend computes them (or knows about scaling).
#pragma once

#include <cstdint>
#include <vector>

namespace hfd::runtime {

// inv_freq[i] = theta^(-2i / head_dim) for i < head_dim / 2, with the exponent and the
// power in float32 as transformers computes them.
std::vector<float> RopeInvFreqs(int head_dim, double theta);

// Dynamic NTK scaling (transformers' "dynamic" rope type): the factor by which a forward call
// whose positions end at seq_len (its last position + 1) multiplies the RoPE base,
// (factor * seq_len / original_ctx - (factor - 1)) ^ (head_dim / (head_dim - 2)); 1 up to
// original_ctx. Each call uses its own end, as transformers does when it recomputes the
// frequencies for a longer input; keys already cached keep the rotation they got.
double DynamicNtkBaseScale(double factor, int64_t original_ctx, int64_t seq_len, int head_dim);

// inv_freq[i] for a base multiplied by `base_scale`: inv_freq[i] * base_scale^(-2i/head_dim).
void ScaleRopeBase(const float* inv_freq, int head_dim, double base_scale, float* out);

}  // namespace hfd::runtime
