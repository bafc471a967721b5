// Encoders for the K super-block types: per-sub-block scales found by search, then the
// scales themselves quantized (6 bits for Q4_K/Q5_K, int8 for Q6_K) and the values
// re-coded against the scales as they will be decoded.
#include <cmath>
#include <cstring>

#include "engine/quant/block_codecs.h"
#include "engine/quant/half.h"
#include "engine/quant/scale_search.h"

namespace hfd::quant_internal {
namespace {

constexpr int kSub = 32;  // values per Q4_K/Q5_K sub-block

void PackScaleMinK4(int j, int ls, int lm, uint8_t* q) {
  if (j < 4) {
    q[j] = static_cast<uint8_t>(ls);
    q[j + 4] = static_cast<uint8_t>(lm);
  } else {
    q[j + 4] = static_cast<uint8_t>((ls & 0x0f) | ((lm & 0x0f) << 4));
    q[j - 4] = static_cast<uint8_t>(q[j - 4] | ((ls >> 4) << 6));
    q[j] = static_cast<uint8_t>(q[j] | ((lm >> 4) << 6));
  }
}

// Shared by Q4_K and Q5_K: fills d, dmin and the packed scales, and writes each value's
// code in [0, nmax] to `codes`.
void EncodeScaleMinK(const float* x, int nmax, uint16_t* d, uint16_t* dmin, uint8_t scales[12],
                     uint8_t codes[kQKK]) {
  float sub_scale[8], sub_min[8], weights[kSub];
  float max_scale = 0, max_min = 0;
  for (int j = 0; j < 8; ++j) {
    const float* xs = x + kSub * j;
    float sum_x2 = 0;
    for (int l = 0; l < kSub; ++l) sum_x2 += xs[l] * xs[l];
    const float av_x = std::sqrt(sum_x2 / kSub);
    for (int l = 0; l < kSub; ++l) weights[l] = av_x + std::fabs(xs[l]);
    sub_scale[j] = SearchScaleMin(kSub, nmax, xs, weights, codes + kSub * j, &sub_min[j]);
    max_scale = std::fmax(max_scale, sub_scale[j]);
    max_min = std::fmax(max_min, sub_min[j]);
  }
  const float inv_scale = max_scale > 0 ? 63.0f / max_scale : 0.0f;
  const float inv_min = max_min > 0 ? 63.0f / max_min : 0.0f;
  std::memset(scales, 0, 12);
  for (int j = 0; j < 8; ++j) {
    PackScaleMinK4(j, NearestInt(inv_scale * sub_scale[j], 0, 63),
                   NearestInt(inv_min * sub_min[j], 0, 63), scales);
  }
  *d = FloatToHalf(max_scale / 63.0f);
  *dmin = FloatToHalf(max_min / 63.0f);
  const float df = HalfToFloat(*d), dminf = HalfToFloat(*dmin);
  for (int j = 0; j < 8; ++j) {
    uint8_t sc, m;
    UnpackScaleMinK4(j, scales, &sc, &m);
    const float dq = df * sc, dm = dminf * m;
    for (int l = 0; l < kSub; ++l) {
      const int i = kSub * j + l;
      codes[i] = dq != 0 ? static_cast<uint8_t>(NearestInt((x[i] + dm) / dq, 0, nmax)) : 0;
    }
  }
}

}  // namespace

void EncodeBlock(const float* x, BlockQ4_K* b) {
  uint8_t codes[kQKK];
  EncodeScaleMinK(x, 15, &b->d, &b->dmin, b->scales, codes);
  for (int j = 0; j < kQKK; j += 64) {
    for (int l = 0; l < 32; ++l) {
      b->qs[j / 2 + l] = static_cast<uint8_t>(codes[j + l] | (codes[j + l + 32] << 4));
    }
  }
}

void EncodeBlock(const float* x, BlockQ5_K* b) {
  uint8_t codes[kQKK];
  EncodeScaleMinK(x, 31, &b->d, &b->dmin, b->scales, codes);
  std::memset(b->qh, 0, sizeof b->qh);
  uint8_t m1 = 1, m2 = 2;
  for (int j = 0; j < kQKK; j += 64) {
    for (int l = 0; l < 32; ++l) {
      const int lo = codes[j + l], hi = codes[j + l + 32];
      if (lo > 15) b->qh[l] |= m1;
      if (hi > 15) b->qh[l] |= m2;
      b->qs[j / 2 + l] = static_cast<uint8_t>((lo & 0x0f) | ((hi & 0x0f) << 4));
    }
    m1 = static_cast<uint8_t>(m1 << 2);
    m2 = static_cast<uint8_t>(m2 << 2);
  }
}

void EncodeBlock(const float* x, BlockQ6_K* b) {
  constexpr int kSub16 = 16;
  float sub_scale[kQKK / kSub16];
  int8_t codes[kQKK];
  float max_scale = 0, amax = 0;
  for (int ib = 0; ib < kQKK / kSub16; ++ib) {
    sub_scale[ib] = SearchScaleSymmetric(kSub16, 32, x + kSub16 * ib, codes + kSub16 * ib);
    if (std::fabs(sub_scale[ib]) > amax) {
      amax = std::fabs(sub_scale[ib]);
      max_scale = sub_scale[ib];
    }
  }
  std::memset(b, 0, sizeof *b);
  if (amax == 0) return;
  const float iscale = -128.0f / max_scale;
  b->d = FloatToHalf(1.0f / iscale);
  const float df = HalfToFloat(b->d);
  uint8_t stored[kQKK];
  for (int ib = 0; ib < kQKK / kSub16; ++ib) {
    b->scales[ib] = static_cast<int8_t>(NearestInt(iscale * sub_scale[ib], -128, 127));
    const float dq = df * b->scales[ib];
    for (int l = 0; l < kSub16; ++l) {
      const int i = kSub16 * ib + l;
      stored[i] = static_cast<uint8_t>((dq != 0 ? NearestInt(x[i] / dq, -32, 31) : 0) + 32);
    }
  }
  for (int j = 0; j < kQKK; j += 128) {
    uint8_t* ql = b->ql + j / 2;
    uint8_t* qh = b->qh + j / 4;
    for (int l = 0; l < 32; ++l) {
      const uint8_t* s = stored + j + l;
      ql[l] = static_cast<uint8_t>((s[0] & 0x0f) | ((s[64] & 0x0f) << 4));
      ql[l + 32] = static_cast<uint8_t>((s[32] & 0x0f) | ((s[96] & 0x0f) << 4));
      qh[l] = static_cast<uint8_t>((s[0] >> 4) | ((s[32] >> 4) << 2) | ((s[64] >> 4) << 4) |
                                   ((s[96] >> 4) << 6));
    }
  }
}

void EncodeBlock(const float* x, BlockQ8_K* b) {
  float amax = 0, max = 0;
  for (int j = 0; j < kQKK; ++j) {
    if (std::fabs(x[j]) > amax) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  std::memset(b, 0, sizeof *b);
  if (amax == 0) return;
  const float iscale = -128.0f / max;
  for (int j = 0; j < kQKK; ++j) {
    b->qs[j] = static_cast<int8_t>(NearestInt(iscale * x[j], -128, 127));
    b->bsums[j / 16] = static_cast<int16_t>(b->bsums[j / 16] + b->qs[j]);
  }
  b->d = 1.0f / iscale;
}

}  // namespace hfd::quant_internal
