// The per-ISA function tables behind MatMul and the F16 helpers. Internal to the CPU
// kernels; tests and benches use it to run one path against another.
#pragma once

#include <cstdint>

#include "backends/cpu/kernels/act_row.h"
#include "backends/cpu/kernels/isa.h"
#include "engine/quant/tensor_type.h"

namespace hfd::cpu {

// Dot product of one weight row (`cols` values in the type's GGML block layout, no
// alignment required) with one activation row.
using RowDotFn = float (*)(int64_t cols, const uint8_t* w, const ActRow& x);

// The same for four activation rows at once: out[t] = dot(w, x[t]), t < 4, bit-identical
// to four RowDotFn calls. Lets prefill unpack each weight block once for four tokens.
using RowDot4Fn = void (*)(int64_t cols, const uint8_t* w, const ActRow* x, float* out);

// A register-blocked block of `rows` weight rows by `tokens` tokens:
// y[t * y_stride + r] = dot(row r, x[t]) for r < rows, t < tokens, with row r at
// w + r * row_bytes; bit-identical to RowDotFn per (row, token). Prefill's micro-kernel:
// each weight block is loaded once for `tokens` tokens and each activation block once for
// `rows` rows, with all rows x tokens partial sums in registers.
using RowTileFn = void (*)(int64_t cols, const uint8_t* w, int64_t row_bytes, const ActRow* x,
                           float* y, int64_t y_stride);

// RowTileFn for any n_tokens (1 <= n_tokens <= the kernel's `tokens`) in one call.
using RowTilesFn = void (*)(int64_t cols, const uint8_t* w, int64_t row_bytes, const ActRow* x,
                            int n_tokens, float* y, int64_t y_stride);

struct TileKernel {
  RowTileFn fn;   // null: none (MatMul uses dot4 / dot)
  RowTileFn one;  // the same rows for a single token (decode, leftovers); null: use dot
  int rows, tokens;
  // All the tokens left after the `fn` tiles in one call (`rows` rows), when at least
  // `rest_min` are left (fewer go to `one`); null: none. Calls start at a multiple of
  // `tokens` (the AMX-BF16 activations' 16-token groups rely on it).
  RowTilesFn rest;
  int rest_min;
};

// The most rows and tokens a TileKernel takes at once.
constexpr int kMaxTileRows = 16, kMaxTileTokens = 64;

struct WeightKernel {
  ActKind act;
  RowDotFn dot;    // null: the type is not supported as a weight
  RowDot4Fn dot4;  // null: MatMul calls `dot` per token
  TileKernel tile;
};

// Plain aggregates without default member initialisers: value-initialise them ({}). That
// way no inline constructor is emitted by (and shared between) the per-ISA translation
// units, which are compiled with different target flags.
struct KernelTable {
  WeightKernel f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q4_k, q5_k, q6_k;
  WeightKernel q2_k, q3_k, iq4_nl, iq4_xs, iq3_xxs, iq3_s, mxfp4;
  // The `tile`s of Q8_0, Q4_0, Q4_1 and Q4_K over the interleaved copy of the weights
  // (rows16_layout.h): `w` is the start of a group of `rows` interleaved rows; the same bits
  // as `tile`. fn null: this path reads only GGUF's layout; else `one` and `rest` are set.
  TileKernel q8_0_rows16, q4_0_rows16, q4_1_rows16, q4_k_rows16;
  QuantizeQ8Fn quantize_q8;
  SplitBf16x3Fn split_bf16x3;  // null where no kernel takes ActKind::kF32Bf16x3
  void (*f32_to_f16)(const float* src, uint16_t* dst, int64_t n);
  void (*f16_to_f32)(const uint16_t* src, float* dst, int64_t n);
  // out[j] = sum_i rows[j * stride + i] * x[i] for j < count (attention scores).
  void (*dot_f16_rows)(const uint16_t* rows, int64_t stride, int64_t count, const float* x,
                       int64_t n, float* out);
  // y[i] += w[j] * rows[j * stride + i] for j < count in order (attention output).
  void (*axpy_f16_rows)(const float* w, const uint16_t* rows, int64_t stride, int64_t count,
                        float* y, int64_t n);
  // y[i] = gelu(x[i]) = x[i] / 2 * (1 + erf(x[i] / sqrt(2))) for i < n (x == y allowed). Every
  // element goes through the same operations wherever it sits in the call (no scalar tail),
  // so a matrix product's epilogue and the separate op give the same bits.
  void (*gelu)(const float* x, float* y, int64_t n);
  // y[i] = tanh(x[i]) for i < n (x == y allowed), each element alike wherever it sits (the
  // SIMD paths take libmvec's tanhf, within a few ulp of the scalar path's).
  void (*tanh)(const float* x, float* y, int64_t n);
  // y[i] = a[i] + b[i] for i < n (a == y or b == y allowed): the residual add and a
  // product's bias add.
  void (*add)(const float* a, const float* b, float* y, int64_t n);
  // matmul.h's LayerNorm. Every path sums the same doubles in the same order (eight
  // interleaved partial sums), so all give the scalar path's bits.
  void (*layer_norm)(const float* x, const float* w, const float* bias, float* y, int64_t rows,
                     int64_t width, float eps);

  // The kernel for weights of `type`, or null when it has none.
  const WeightKernel* ForType(TensorType type) const;
  // The tiles of `type` over the interleaved copy, or null when this path has none.
  const TileKernel* Rows16For(TensorType type) const;
};

// The table of a path. Requires IsaSupported(isa); Scalar is always available.
const KernelTable& KernelsFor(Isa isa);

// Sets the scalar kernels of Q2_K, Q3_K, the i-quants and MXFP4 in `t` (the scalar table's; the
// x86 tables have 256-bit ones).
void SetLowBitScalarKernels(KernelTable* t);

// Puts the AMX-BF16 tiles of F16 and BF16 weights into the AMX path's table `t` where the
// CPU has AMX-BF16 (kernels_amx_bf16.cc).
void SetAmxBf16Kernels(KernelTable* t);

// Defined by each ISA's translation unit.
const KernelTable& ScalarKernelTable();
const KernelTable& Avx2KernelTable();
const KernelTable& Avx512KernelTable();
const KernelTable& AmxKernelTable();

}  // namespace hfd::cpu
