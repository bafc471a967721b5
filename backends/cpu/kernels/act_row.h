// The activation formats kernels consume (plain data, no allocation: safe to include from
// the per-ISA translation units).
#pragma once

#include <cstdint>

namespace hfd::cpu {

enum class ActKind {
  kF32,     // F32, F16, BF16 weights
  kQ8x32,   // legacy 32-value blocks (Q4_0 ... Q8_0): like GGML's Q8_0/Q8_1
  kQ8x256,  // K-quant super-blocks: like GGML's Q8_K
  // F32 as kF32, plus each value split into three BF16 parts (hi + mid + lo == x exactly):
  // the AMX-BF16 tiles' activations for F16 and BF16 weights.
  kF32Bf16x3,
};

// True for the int8 kinds (a quantization block, a residual pass).
inline bool IsQuantizedAct(ActKind kind) {
  return kind == ActKind::kQ8x32 || kind == ActKind::kQ8x256;
}

// kF32Bf16x3: the values of one part of a row, zero-padded to whole 32-value (64-byte) tile
// rows; the three parts follow each other.
inline constexpr int64_t Bf16PartElems(int64_t cols) { return (cols + 31) / 32 * 32; }

// One activation row (one token). Plain aggregate (no default member initialisers) so the
// per-ISA translation units never emit a shared inline constructor. Which fields are set depends on
// the ActKind. Layout is structure-of-arrays so SIMD code can load the int8 values of neighbouring
// blocks in one go.
struct ActRow {
  const float* f32;        // kF32: cols values
  const int8_t* qs;        // quantized: cols values in [-127, 127]
  const float* d;          // quantized: one scale per block (32 or 256 values)
  const int32_t* sum16;    // quantized: sum of qs over each 16 values
  const uint16_t* bf16x3;  // kF32Bf16x3: parts hi, mid, lo, Bf16PartElems(cols) apart
};

// Quantizes n floats (n a multiple of `block`, block 32 or 256) to int8 per block:
// d = max|x| / 127 (0 for a block with max|x| <= 1e-30), q = round-to-nearest-even(x * (127 /
// max|x|)), and sum16 = the sum of each 16 q. Every path implements it with exactly these
// float operations, so all paths see identical activations (NaN inputs excepted).
using QuantizeQ8Fn = void (*)(const float* x, int64_t n, int64_t block, int8_t* qs, float* d,
                              int32_t* sum16);

// Splits n floats into kF32Bf16x3's three parts at `parts` (3 * Bf16PartElems(n) values):
// hi = x cut to BF16 (its upper 16 bits), mid = x - hi cut the same way, lo = x - hi - mid
// (exact: a float has 24 significant bits).
using SplitBf16x3Fn = void (*)(const float* x, int64_t n, uint16_t* parts);

}  // namespace hfd::cpu
