// Matrix products of quantized GGML weights with float activations, and the F16 vector
// helpers attention needs. MatMul runs the SIMD path picked once per process (isa.h), the
// others the path they are given. All are thread-safe: concurrent calls are fine as long as their
// outputs do not overlap.
#pragma once

#include <cstdint>

#include "backends/cpu/kernels/isa.h"
#include "backends/cpu/kernels/rows16_layout.h"
#include "backends/cpu/kernels/thread_pool.h"
#include "engine/quant/tensor_type.h"
#include "include/hfd/status.h"

namespace hfd::cpu {

// How finely MatMul quantizes the activations it dots with quantized weights.
enum class ActPrecision {
  kInt8,    // int8 per block with a float scale (GGML's Q8_0 / Q8_K role): the fast default
  kInt8x2,  // plus the int8-quantized remainder (about 14 bits; two integer dots per output):
            // for the few products whose rounding shows in the logits (the output head)
};

// What MatMul applies to its outputs after the product, in the threads that computed them
// while they are in cache: the graph's bias add and GELU after a projection, Gemma's GeGLU
// after the up projection and soft-capping after the output head, fused.
// y = gelu(y + bias[r]), then y = GeGLU(gate, y), then y = SoftCap(y, softcap) (each part
// where set), with the same float operations as AddBias and Gelu, GeGLU and SoftCap below,
// so fusing changes no bit.
struct MatMulEpilogue {
  const float* bias = nullptr;  // `rows` values; null: none
  bool gelu = false;
  // The gate of a GeGLU whose up projection this product is, laid out as y (n_tokens rows
  // of `rows`); null: none.
  const float* geglu_gate = nullptr;
  float softcap = 0.0f;  // 0: none
};

// True when MatMul accepts weights of `type`.
bool MatMulSupports(TensorType type);

// y[t * rows + r] = sum_k W[r, k] * x[t * cols + k] for r < rows, t < n_tokens.
// W is `rows` rows of `cols` values in `w_type`'s GGML layout (RowBytes(w_type, cols)
// bytes each), read in place (e.g. from the model's memory map; no alignment needed).
// Quantized types are dotted against x quantized to int8 per block (once per call), twice
// as finely with ActPrecision::kInt8x2; float types read x as it is.
// Work is split by rows over `pool` (null: the calling thread alone), so the result does
// not depend on the number of threads. Errors: unsupported type, cols not a multiple of
// the type's block size, non-positive sizes, null pointers.
Status MatMul(TensorType w_type, const void* w, int64_t rows, int64_t cols, const float* x,
              int64_t n_tokens, float* y, ThreadPool* pool,
              ActPrecision precision = ActPrecision::kInt8, const MatMulEpilogue& epilogue = {});

// MatMul on a given path (the path must be IsaSupported), with W in `layout`: kRows16 (the
// interleaved copy, rows16_layout.h) where ReadsRows16(isa, w_type), which gives the same
// bits as GGUF's layout. `x_unchanged`: x holds what it held at this thread's previous call
// (projections of one input, q, k and v), so the activations quantized (or split) then are
// used again where that call prepared them from the same x, sizes, path and precision for
// the same activation kind.
Status MatMulOnIsa(Isa isa, TensorType w_type, const void* w, int64_t rows, int64_t cols,
                   const float* x, int64_t n_tokens, float* y, ThreadPool* pool,
                   ActPrecision precision = ActPrecision::kInt8,
                   const MatMulEpilogue& epilogue = {}, WeightLayout layout = WeightLayout::kGguf,
                   bool x_unchanged = false);

// The helpers below run on the path `isa` (which must be IsaSupported), so that a backend
// built for one path (CpuBackendOptions::isa) runs every kernel on it.

// y = x / 2 * (1 + erf(x / sqrt(2))) elementwise (BERT's exact GELU; x == y allowed). The SIMD
// paths take erf from glibc's libmvec (within a few ulp of the scalar path's erff).
void Gelu(Isa isa, const float* x, float* y, int64_t n);

// y = gelu(gate) * up elementwise with GELU's tanh approximation (Gemma's GeGLU; up == y
// allowed). The SIMD paths take tanh from libmvec (within a few ulp of the scalar path's).
void GeGLU(Isa isa, const float* gate, const float* up, float* y, int64_t n);

// y = cap * tanh(x / cap) elementwise (Gemma 2's soft-capping; x == y allowed); tanh as in GeGLU.
void SoftCap(Isa isa, const float* x, float cap, float* y, int64_t n);

// y = a + b elementwise over n (a == y or b == y allowed): the residual add.
void Add(Isa isa, const float* a, const float* b, float* y, int64_t n);

// y = (x - mean) / sqrt(var + eps) * w over each row of `width` (mean and variance summed in
// double), then + bias where bias is not null (the graph's following bias add, fused: the
// same float operations, so the same bits); w and bias have `width` elements. y may equal
// x. Every path gives the same bits.
void LayerNorm(Isa isa, const float* x, const float* w, const float* bias, float* y, int64_t rows,
               int64_t width, float eps);

// F32 <-> IEEE half, round to nearest even (the KV cache's storage type).
void F32ToF16(Isa isa, const float* src, uint16_t* dst, int64_t n);
void F16ToF32(Isa isa, const uint16_t* src, float* dst, int64_t n);

// Attention scores against an F16 K cache: out[j] = sum_i rows[j * stride + i] * x[i] for
// j < count, i < n. One call for a query's whole key span keeps the query in registers.
void DotF16Rows(Isa isa, const uint16_t* rows, int64_t stride, int64_t count, const float* x,
                int64_t n, float* out);

// Attention output over an F16 V cache: y[i] += w[j] * rows[j * stride + i] for j < count
// (in order of j), i < n. One call for the whole span keeps y in registers.
void AxpyF16Rows(Isa isa, const float* w, const uint16_t* rows, int64_t stride, int64_t count,
                 float* y, int64_t n);

}  // namespace hfd::cpu
