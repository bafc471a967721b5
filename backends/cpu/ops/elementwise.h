// Row-wise float ops of the CPU backend that read no KV cache: RMSNorm (optionally per
// group, for q/k norm), bias, SwiGLU, scaling, argmax (LayerNorm, the residual add, GeGLU
// and soft-capping are matmul.h's, on the SIMD paths). Single-threaded: they are a
// few microseconds per token next to the matrix products. Thread-safe (no state).
#pragma once

#include <cstdint>

namespace hfd::cpu {

// y = x / sqrt(mean(x^2 over each group of `group`) + eps) * w; w has `group` elements.
// n = total elements (a multiple of group). y may equal x.
void RmsNorm(const float* x, const float* w, float* y, int64_t n, int64_t group, float eps);

// y[r] = x[r] + bias for each of `rows` rows of `width`.
void AddBias(const float* x, const float* bias, float* y, int64_t rows, int64_t width);

// y = silu(gate) * up over n elements.
void SwiGLU(const float* gate, const float* up, float* y, int64_t n);

// gpt-oss's clamped SwiGLU over n elements: g = min(gate, limit), u = clamp(up, -limit,
// limit), y = (u + 1) * g * sigmoid(alpha * g).
void ClampedSwiGLU(const float* gate, const float* up, float* y, int64_t n, float alpha,
                   float limit);

// y = x * scale over n elements.
void Scale(const float* x, float scale, float* y, int64_t n);

}  // namespace hfd::cpu
