// Encoders for the 32-value block types: symmetric types scale by the value of largest
// magnitude, asymmetric ones (Q4_1, Q5_1) by the block's min and max, MXFP4 by the power
// of two the OCP MX spec derives from the largest magnitude.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/quant/block_codecs.h"
#include "engine/quant/half.h"
#include "engine/quant/mxfp4_tables.h"

namespace hfd::quant_internal {
namespace {

constexpr int kHalf = kQK / 2;

// The value of largest magnitude, sign kept (so the extreme maps to the code -2^(bits-1)).
float SignedAbsMax(const float* x, int n) {
  float amax = 0.0f, max = 0.0f;
  for (int j = 0; j < n; ++j) {
    if (std::fabs(x[j]) > amax) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  return max;
}

// Rounds x * id + offset toward zero into [0, top] (the offset carries the +0.5).
// Written so that NaN and infinities map into range instead of overflowing the cast.
int Code(float x, float id, float offset, int top) {
  const float v = x * id + offset;
  if (!(v >= 0.0f)) return 0;
  if (v >= static_cast<float>(top)) return top;
  return static_cast<int>(v);
}

void StoreQh(uint32_t qh, uint8_t out[4]) { std::memcpy(out, &qh, sizeof qh); }

}  // namespace

void EncodeBlock(const float* x, BlockQ4_0* b) {
  const float max = SignedAbsMax(x, kQK);
  const float d = max / -8.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  b->d = FloatToHalf(d);
  for (int j = 0; j < kHalf; ++j) {
    const int lo = Code(x[j], id, 8.5f, 15);
    const int hi = Code(x[j + kHalf], id, 8.5f, 15);
    b->qs[j] = static_cast<uint8_t>(lo | (hi << 4));
  }
}

void EncodeBlock(const float* x, BlockQ4_1* b) {
  const auto [mn, mx] = std::minmax_element(x, x + kQK);
  const float d = (*mx - *mn) / 15.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  const float min = *mn;
  b->d = FloatToHalf(d);
  b->m = FloatToHalf(min);
  for (int j = 0; j < kHalf; ++j) {
    const int lo = Code(x[j] - min, id, 0.5f, 15);
    const int hi = Code(x[j + kHalf] - min, id, 0.5f, 15);
    b->qs[j] = static_cast<uint8_t>(lo | (hi << 4));
  }
}

void EncodeBlock(const float* x, BlockQ5_0* b) {
  const float max = SignedAbsMax(x, kQK);
  const float d = max / -16.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  b->d = FloatToHalf(d);
  uint32_t qh = 0;
  for (int j = 0; j < kHalf; ++j) {
    const int lo = Code(x[j], id, 16.5f, 31);
    const int hi = Code(x[j + kHalf], id, 16.5f, 31);
    b->qs[j] = static_cast<uint8_t>((lo & 0x0f) | ((hi & 0x0f) << 4));
    qh |= static_cast<uint32_t>(lo >> 4) << j;
    qh |= static_cast<uint32_t>(hi >> 4) << (j + kHalf);
  }
  StoreQh(qh, b->qh);
}

void EncodeBlock(const float* x, BlockQ5_1* b) {
  const auto [mn, mx] = std::minmax_element(x, x + kQK);
  const float d = (*mx - *mn) / 31.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  const float min = *mn;
  b->d = FloatToHalf(d);
  b->m = FloatToHalf(min);
  uint32_t qh = 0;
  for (int j = 0; j < kHalf; ++j) {
    const int lo = Code(x[j] - min, id, 0.5f, 31);
    const int hi = Code(x[j + kHalf] - min, id, 0.5f, 31);
    b->qs[j] = static_cast<uint8_t>((lo & 0x0f) | ((hi & 0x0f) << 4));
    qh |= static_cast<uint32_t>(lo >> 4) << j;
    qh |= static_cast<uint32_t>(hi >> 4) << (j + kHalf);
  }
  StoreQh(qh, b->qh);
}

namespace {

// Symmetric 8-bit codes; returns d and the sum of the codes.
float EncodeQ8(const float* x, int8_t* qs, int* sum) {
  float amax = 0.0f;
  for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[j]));
  const float d = amax / 127.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  *sum = 0;
  for (int j = 0; j < kQK; ++j) {
    qs[j] = static_cast<int8_t>(NearestInt(x[j] * id, -127, 127));
    *sum += qs[j];
  }
  return d;
}

// The E2M1 code (0..7) whose doubled value (kMxfp4Values) is nearest t >= 0, ties to the
// even code (round half to even, as the MX spec converts); t past 12 saturates to 7.
int NearestE2M1(float t) {
  if (!(t > 0.0f)) return 0;  // zero or NaN
  if (t >= 12.0f) return 7;
  int best = 0;
  for (int i = 1; i < 8; ++i) {
    const float di = std::fabs(t - kMxfp4Values[i]);
    const float db = std::fabs(t - kMxfp4Values[best]);
    if (di < db || (di == db && i % 2 == 0)) best = i;
  }
  return best;
}

}  // namespace

// OCP MX v1.0: the shared scale is 2^(floor(log2(max|x|)) - 2), 2 being E2M1's largest
// exponent, so the largest value lands in [4, 8) scale units and values past 6 saturate.
void EncodeBlock(const float* x, BlockMXFP4* b) {
  float amax = 0.0f;
  for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[j]));  // NaN is skipped
  int e = 0;  // an all-zero block: any scale decodes to zeros
  if (std::isinf(amax)) {
    e = 254;
  } else if (amax > 0.0f) {
    int exponent;
    std::frexp(amax, &exponent);  // amax = m * 2^exponent, m in [0.5, 1)
    e = std::clamp(exponent - 1 - 2 + 127, 0, 254);
  }
  b->e = static_cast<uint8_t>(e);
  for (int j = 0; j < kHalf; ++j) {
    int codes[2];
    for (int h = 0; h < 2; ++h) {
      const float v = x[j + h * kHalf];
      // |v| in units of the half scale 2^(e - 128) (exact: a power-of-two factor).
      const int code = NearestE2M1(std::ldexp(std::fabs(v), 128 - e));
      codes[h] = code | (std::signbit(v) && code != 0 ? 8 : 0);
    }
    b->qs[j] = static_cast<uint8_t>(codes[0] | (codes[1] << 4));
  }
}

void EncodeBlock(const float* x, BlockQ8_0* b) {
  int sum;
  b->d = FloatToHalf(EncodeQ8(x, b->qs, &sum));
}

void EncodeBlock(const float* x, BlockQ8_1* b) {
  int sum;
  const float d = EncodeQ8(x, b->qs, &sum);
  b->d = FloatToHalf(d);
  b->s = FloatToHalf(d * static_cast<float>(sum));
}

}  // namespace hfd::quant_internal
