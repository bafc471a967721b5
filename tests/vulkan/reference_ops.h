// Plain scalar versions of the ops, written from their definitions in
// engine/runtime/graph.h, that the Vulkan kernels are compared with.
#pragma once

#include <cstdint>
#include <vector>

namespace hfd::vk::testing {

// y[t][r] = sum_k w[r][k] * x[t][k]; w is rows x cols row-major.
std::vector<float> RefMatMul(const std::vector<float>& w, int64_t rows, int64_t cols,
                             const std::vector<float>& x, int64_t ntok);

std::vector<float> RefRmsNorm(const std::vector<float>& x, const std::vector<float>& w,
                              int64_t width, int64_t group, float eps);

// Rotates pairs of each head at positions pos + t.
std::vector<float> RefRope(const std::vector<float>& x, const std::vector<float>& freqs, int n_head,
                           int head_dim, bool interleaved, int pos);

// Attention of `ntok` queries at positions pos.. over keys/values [0, pos + ntok)
// (rows of n_head_kv * head_dim), causal, optional sliding window.
std::vector<float> RefAttention(const std::vector<float>& q, const std::vector<float>& keys,
                                const std::vector<float>& values, int n_head, int n_head_kv,
                                int head_dim, int pos, int ntok, int window, float scale);

// Values rounded through IEEE half, as the F16 KV cache stores them.
std::vector<float> RoundToHalf(const std::vector<float>& v);

}  // namespace hfd::vk::testing
