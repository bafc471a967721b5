// The activation formats kernels consume (plain data, no allocation: safe to include from
// the per-ISA translation units).
#pragma once

#include <cstdint>

namespace hfd::cpu {

enum class ActKind {
  kF32,     // F32, F16, BF16 weights
  kQ8x32,   // legacy 32-value blocks (Q4_0 ... Q8_0): like GGML's Q8_0/Q8_1
  kQ8x256,  // K-quant super-blocks: like GGML's Q8_K
  // F32 as kF32, plus each value split into three BF16 parts (hi + mid + lo == x exactly)
  // in the AMX-BF16 tiles' layout (below): their activations for F16 and BF16 weights.
  kF32Bf16x3,
};

// True for the int8 kinds (a quantization block, a residual pass).
inline bool IsQuantizedAct(ActKind kind) {
  return kind == ActKind::kQ8x32 || kind == ActKind::kQ8x256;
}

// kF32Bf16x3's layout: tokens in groups of 16 (one tile's rows), values in blocks of 32 (one
// 64-byte tile row; the last zero-padded). A group holds, for each block and each part
// (hi, mid, lo), its 16 tokens' 32 values one after another: every tile load reads 1 KiB in
// one piece. A token's row starts at its 32 values of block 0, part 0; part q of block j
// is kBf16x3BlockElems * j + kBf16x3PartElems * q further.
inline constexpr int64_t kBf16x3GroupTokens = 16;
inline constexpr int64_t kBf16x3PartElems = 32 * kBf16x3GroupTokens;
inline constexpr int64_t kBf16x3BlockElems = 3 * kBf16x3PartElems;
inline constexpr int64_t Bf16x3Blocks(int64_t cols) { return (cols + 31) / 32; }
inline constexpr int64_t Bf16x3GroupElems(int64_t cols) {
  return Bf16x3Blocks(cols) * kBf16x3BlockElems;
}

// One activation row (one token). Plain aggregate (no default member initialisers) so the
// per-ISA translation units never emit a shared inline constructor. Which fields are set depends on
// the ActKind. Layout is structure-of-arrays so SIMD code can load the int8 values of neighbouring
// blocks in one go.
struct ActRow {
  const float* f32;        // kF32: cols values
  const int8_t* qs;        // quantized: cols values in [-127, 127]
  const float* d;          // quantized: one scale per block (32 or 256 values)
  const int32_t* sum16;    // quantized: sum of qs over each 16 values
  const uint16_t* bf16x3;  // kF32Bf16x3: this token's row (see kBf16x3GroupTokens)
  // kQ8x32: per block, float(sum of its 32 qs) * d (GGML's Q8_1 s): the affine types' min
  // term, computed once per token instead of once per weight tile.
  const float* sum_d;
};

// Quantizes n floats (n a multiple of `block`, block 32 or 256) to int8 per block:
// d = max|x| / 127 (0 for a block with max|x| <= 1e-30), q = round-to-nearest-even(x * (127 /
// max|x|)), and sum16 = the sum of each 16 q. Every path implements it with exactly these
// float operations, so all paths see identical activations (NaN inputs excepted).
using QuantizeQ8Fn = void (*)(const float* x, int64_t n, int64_t block, int8_t* qs, float* d,
                              int32_t* sum16);

// Splits one token's n floats into kF32Bf16x3's three parts at its `row`: hi = x cut to
// BF16 (its upper 16 bits), mid = x - hi cut the same way, lo = x - hi - mid (exact: a float
// has 24 significant bits); zeros past n.
using SplitBf16x3Fn = void (*)(const float* x, int64_t n, uint16_t* row);

}  // namespace hfd::cpu
