// GGML's quantized block layouts, byte for byte as they sit in GGUF tensor data.
// Half-precision fields hold IEEE binary16 bits (see half.h). All structs are
// standard-layout with no padding, so tensor data can be read through them directly
// (after checking alignment, or by memcpy).
#pragma once

#include <cstdint>

namespace hfd {

inline constexpr int kQK = 32;    // values per block of the legacy types (Q4_0 ... Q8_1)
inline constexpr int kQKK = 256;  // values per super-block of the K types

// y = d * q, q in [-8, 7] (stored +8): low nibbles hold values 0..15, high nibbles 16..31.
struct BlockQ4_0 {
  uint16_t d;
  uint8_t qs[kQK / 2];
};
// y = d * q + m, q in [0, 15].
struct BlockQ4_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qs[kQK / 2];
};
// Like Q4_0 with a fifth bit per value in qh (bit j for value j), q in [-16, 15].
struct BlockQ5_0 {
  uint16_t d;
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};
// Like Q4_1 with a fifth bit per value in qh, q in [0, 31].
struct BlockQ5_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qh[4];
  uint8_t qs[kQK / 2];
};
// y = d * q.
struct BlockQ8_0 {
  uint16_t d;
  int8_t qs[kQK];
};
// y = d * q; s = d * sum(q) (used by dot products with Q4_1/Q5_1).
struct BlockQ8_1 {
  uint16_t d;
  uint16_t s;
  int8_t qs[kQK];
};
// 16 sub-blocks of 16: y = d * (scales & 15) * q - dmin * (scales >> 4), q in [0, 3].
struct BlockQ2_K {
  uint8_t scales[kQKK / 16];
  uint8_t qs[kQKK / 4];
  uint16_t d;
  uint16_t dmin;
};
// 16 sub-blocks of 16 with 6-bit signed scales packed in 12 bytes; q in [-4, 3].
struct BlockQ3_K {
  uint8_t hmask[kQKK / 8];
  uint8_t qs[kQKK / 4];
  uint8_t scales[12];
  uint16_t d;
};
// 8 sub-blocks of 32 with 6-bit scales and mins packed in 12 bytes; q in [0, 15].
struct BlockQ4_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
  uint8_t qs[kQKK / 2];
};
// Like Q4_K with a fifth bit per value in qh; q in [0, 31].
struct BlockQ5_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
  uint8_t qh[kQKK / 8];
  uint8_t qs[kQKK / 2];
};
// 16 sub-blocks of 16 with int8 scales: y = d * scales[i] * q, q in [-32, 31].
struct BlockQ6_K {
  uint8_t ql[kQKK / 2];
  uint8_t qh[kQKK / 4];
  int8_t scales[kQKK / 16];
  uint16_t d;
};
// 32 values, y = d * kIq4NlValues[q] (iq_tables.h): low nibbles hold values 0..15, high
// nibbles 16..31, as in Q4_0.
struct BlockIQ4_NL {
  uint16_t d;
  uint8_t qs[kQK / 2];
};
// 8 sub-blocks of 32 like IQ4_NL, each with a 6-bit scale (biased by 32): low 4 bits in
// scales_l (two per byte), high 2 bits in scales_h (two bits per sub-block).
struct BlockIQ4_XS {
  uint16_t d;
  uint16_t scales_h;
  uint8_t scales_l[kQKK / 64];
  uint8_t qs[kQKK / 2];
};
// 64 grid indices (one per 4 values, kIq3XxsGrid), then one 32-bit word per sub-block of
// 32: four 7-bit sign indices (one per 8 values) and a 4-bit scale in the top bits.
struct BlockIQ3_XXS {
  uint16_t d;
  uint8_t qs[3 * kQKK / 8];
};
// 9-bit grid indices (kIq3SGrid): low 8 bits in qs, the ninth in qh; one sign bit per
// value; a 4-bit scale per sub-block of 32.
struct BlockIQ3_S {
  uint16_t d;
  uint8_t qs[kQKK / 4];
  uint8_t qh[kQKK / 32];
  uint8_t signs[kQKK / 8];
  uint8_t scales[kQKK / 64];
};
// MXFP4 (OCP Microscaling): 32 E2M1 codes (mxfp4_tables.h) sharing the E8M0 scale 2^(e - 127),
// packed like Q4_0 (low nibbles values 0..15, high nibbles 16..31). 17 bytes: blocks in a
// row are not 2-byte aligned.
struct BlockMXFP4 {
  uint8_t e;
  uint8_t qs[kQK / 2];
};
// Activations for K-quant dot products: y = d * q; bsums are sums of each 16 values.
struct BlockQ8_K {
  float d;
  int8_t qs[kQKK];
  int16_t bsums[kQKK / 16];
};

static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ8_1) == 36);
static_assert(sizeof(BlockQ2_K) == 84);
static_assert(sizeof(BlockQ3_K) == 110);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);
static_assert(sizeof(BlockQ8_K) == 292);
static_assert(sizeof(BlockIQ4_NL) == 18);
static_assert(sizeof(BlockIQ4_XS) == 136);
static_assert(sizeof(BlockIQ3_XXS) == 98);
static_assert(sizeof(BlockIQ3_S) == 110);
static_assert(sizeof(BlockMXFP4) == 17);

}  // namespace hfd
