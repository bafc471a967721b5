// Decoders and encoders for the 32-value block types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/quant/block_codecs.h"
#include "engine/quant/half.h"

namespace hfd::quant_internal {
namespace {

constexpr int kHalf = kQK / 2;

uint32_t LoadQh(const uint8_t qh[4]) {
  uint32_t v;
  std::memcpy(&v, qh, sizeof v);
  return v;  // little-endian hosts only, like GGUF itself
}

// The fifth bit of value j (0..31) as 0 or 16.
int HighBit(uint32_t qh, int j) { return static_cast<int>((qh >> j) & 1u) << 4; }

}  // namespace

void DecodeBlock(const BlockQ4_0& b, float* y) {
  const float d = HalfToFloat(b.d);
  for (int j = 0; j < kHalf; ++j) {
    y[j] = static_cast<float>((b.qs[j] & 0x0f) - 8) * d;
    y[j + kHalf] = static_cast<float>((b.qs[j] >> 4) - 8) * d;
  }
}

void DecodeBlock(const BlockQ4_1& b, float* y) {
  const float d = HalfToFloat(b.d);
  const float m = HalfToFloat(b.m);
  for (int j = 0; j < kHalf; ++j) {
    y[j] = static_cast<float>(b.qs[j] & 0x0f) * d + m;
    y[j + kHalf] = static_cast<float>(b.qs[j] >> 4) * d + m;
  }
}

void DecodeBlock(const BlockQ5_0& b, float* y) {
  const float d = HalfToFloat(b.d);
  const uint32_t qh = LoadQh(b.qh);
  for (int j = 0; j < kHalf; ++j) {
    y[j] = static_cast<float>(((b.qs[j] & 0x0f) | HighBit(qh, j)) - 16) * d;
    y[j + kHalf] = static_cast<float>(((b.qs[j] >> 4) | HighBit(qh, j + kHalf)) - 16) * d;
  }
}

void DecodeBlock(const BlockQ5_1& b, float* y) {
  const float d = HalfToFloat(b.d);
  const float m = HalfToFloat(b.m);
  const uint32_t qh = LoadQh(b.qh);
  for (int j = 0; j < kHalf; ++j) {
    y[j] = static_cast<float>((b.qs[j] & 0x0f) | HighBit(qh, j)) * d + m;
    y[j + kHalf] = static_cast<float>((b.qs[j] >> 4) | HighBit(qh, j + kHalf)) * d + m;
  }
}

void DecodeBlock(const BlockQ8_0& b, float* y) {
  const float d = HalfToFloat(b.d);
  for (int j = 0; j < kQK; ++j) y[j] = static_cast<float>(b.qs[j]) * d;
}

void DecodeBlock(const BlockQ8_1& b, float* y) {
  const float d = HalfToFloat(b.d);
  for (int j = 0; j < kQK; ++j) y[j] = static_cast<float>(b.qs[j]) * d;
}

}  // namespace hfd::quant_internal
