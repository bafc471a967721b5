// Per-block encoders and decoders behind DequantizeRow/QuantizeRow (internal to quant/).
// Overloaded on the block type so the row functions can dispatch with one template.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "engine/quant/blocks.h"

namespace hfd::quant_internal {

// Decode one block into kQK or kQKK floats.
void DecodeBlock(const BlockQ4_0& b, float* y);
void DecodeBlock(const BlockQ4_1& b, float* y);
void DecodeBlock(const BlockQ5_0& b, float* y);
void DecodeBlock(const BlockQ5_1& b, float* y);
void DecodeBlock(const BlockQ8_0& b, float* y);
void DecodeBlock(const BlockQ8_1& b, float* y);
void DecodeBlock(const BlockQ2_K& b, float* y);
void DecodeBlock(const BlockQ3_K& b, float* y);
void DecodeBlock(const BlockQ4_K& b, float* y);
void DecodeBlock(const BlockQ5_K& b, float* y);
void DecodeBlock(const BlockQ6_K& b, float* y);
void DecodeBlock(const BlockQ8_K& b, float* y);
void DecodeBlock(const BlockIQ4_NL& b, float* y);
void DecodeBlock(const BlockIQ4_XS& b, float* y);
void DecodeBlock(const BlockIQ3_XXS& b, float* y);
void DecodeBlock(const BlockIQ3_S& b, float* y);
void DecodeBlock(const BlockMXFP4& b, float* y);

// Encode kQK or kQKK floats into one block.
void EncodeBlock(const float* x, BlockQ4_0* b);
void EncodeBlock(const float* x, BlockQ4_1* b);
void EncodeBlock(const float* x, BlockQ5_0* b);
void EncodeBlock(const float* x, BlockQ5_1* b);
void EncodeBlock(const float* x, BlockQ8_0* b);
void EncodeBlock(const float* x, BlockQ8_1* b);
void EncodeBlock(const float* x, BlockQ4_K* b);
void EncodeBlock(const float* x, BlockQ5_K* b);
void EncodeBlock(const float* x, BlockQ6_K* b);
void EncodeBlock(const float* x, BlockQ8_K* b);
void EncodeBlock(const float* x, BlockMXFP4* b);

// round(v) (ties to even) clamped to [lo, hi]; NaN maps into range, never an overflowing
// cast. After clamping |v| is small, so adding 1.5 * 2^23 leaves the rounded integer in
// the low mantissa bits: much faster than a libm call in the encoders' search loops.
inline int NearestInt(float v, int lo, int hi) {
  if (!(v == v)) return std::clamp(0, lo, hi);
  if (v <= static_cast<float>(lo)) return lo;
  if (v >= static_cast<float>(hi)) return hi;
  const float shifted = v + 12582912.0f;
  int32_t bits;
  std::memcpy(&bits, &shifted, sizeof bits);
  return (bits & 0x007fffff) - 0x00400000;
}

// Unpacks sub-block j's 6-bit scale and min from the 12-byte Q4_K/Q5_K scales field.
void UnpackScaleMinK4(int j, const uint8_t* scales, uint8_t* scale, uint8_t* min);

}  // namespace hfd::quant_internal
