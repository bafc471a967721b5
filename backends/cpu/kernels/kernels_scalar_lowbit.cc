// Scalar dot products for Q2_K, Q3_K, the i-quants (IQ4_NL, IQ4_XS, IQ3_XXS, IQ3_S) and MXFP4.
// Each super-block is unpacked to int8 values and integer sub-block scales, then dotted
// exactly with the int8 activations; one float multiply per block applies the scales.
// These are the reference for the SIMD paths and the fallback where a path has none.
#include <array>
#include <cstddef>
#include <cstring>

#include "backends/cpu/kernels/kernel_table.h"
#include "engine/quant/blocks.h"
#include "engine/quant/half.h"
#include "engine/quant/iq_tables.h"
#include "engine/quant/k_scales.h"
#include "engine/quant/mxfp4_tables.h"

namespace hfd::cpu {
namespace {

template <typename Block>
const Block* Blocks(const uint8_t* w) {
  return reinterpret_cast<const Block*>(w);
}

// sum over groups g of scales[g] * dot(q, x) (every type's integer sub-block scales fit int8) over
// `group` values each, for 256 values.
int32_t ScaledDot256(const int8_t* q, const int8_t* x, const int8_t* scales, int group) {
  int32_t total = 0;
  for (int g = 0; g < kQKK / group; ++g) {
    int32_t dot = 0;
    for (int i = g * group; i < (g + 1) * group; ++i) dot += q[i] * x[i];
    total += scales[g] * dot;
  }
  return total;
}

// The 2-bit fields shared by Q2_K and Q3_K: value 128h + 32s + l is bits 2s..2s+1 of
// byte 32h + l.
void TwoBitValues(const uint8_t* qs, int8_t* q) {
  for (int h = 0; h < 2; ++h) {
    for (int s = 0; s < 4; ++s) {
      for (int l = 0; l < 32; ++l) {
        q[128 * h + 32 * s + l] = static_cast<int8_t>((qs[32 * h + l] >> (2 * s)) & 3);
      }
    }
  }
}

// Q2_K: y = d * (sc & 15) * q - dmin * (sc >> 4) per 16 values, q in [0, 3].
float DotQ2_K(int64_t n, const uint8_t* w, const ActRow& x) {
  const BlockQ2_K* b = Blocks<BlockQ2_K>(w);
  float s = 0.0f;
  for (int64_t i = 0; i < n / kQKK; ++i) {
    int8_t q[kQKK];
    TwoBitValues(b[i].qs, q);
    int8_t scales[16];
    int32_t msum = 0;
    for (int g = 0; g < 16; ++g) {
      scales[g] = static_cast<int8_t>(b[i].scales[g] & 0x0f);
      msum += (b[i].scales[g] >> 4) * x.sum16[i * 16 + g];
    }
    const int32_t isum = ScaledDot256(q, x.qs + i * kQKK, scales, 16);
    s += x.d[i] * (HalfToFloat(b[i].d) * static_cast<float>(isum) -
                   HalfToFloat(b[i].dmin) * static_cast<float>(msum));
  }
  return s;
}

// Q3_K: y = d * sc * q per 16 values, q in [-4, 3]: two low bits, minus 4 where the
// high bit (hmask bit 4h + s of byte l) is clear.
float DotQ3_K(int64_t n, const uint8_t* w, const ActRow& x) {
  const BlockQ3_K* b = Blocks<BlockQ3_K>(w);
  float s = 0.0f;
  for (int64_t i = 0; i < n / kQKK; ++i) {
    int8_t q[kQKK];
    TwoBitValues(b[i].qs, q);
    for (int v = 0; v < kQKK; ++v) {
      const int bit = v / 32;  // 4h + s for value 128h + 32s + l
      if (((b[i].hmask[v % 32] >> bit) & 1) == 0) q[v] = static_cast<int8_t>(q[v] - 4);
    }
    int8_t scales[16];
    UnpackQ3KScales(b[i].scales, scales);
    const int32_t isum = ScaledDot256(q, x.qs + i * kQKK, scales, 16);
    s += HalfToFloat(b[i].d) * x.d[i] * static_cast<float>(isum);
  }
  return s;
}

// The levels of 32 4-bit codes: value i < 16 from the low nibble of byte i, i + 16 from
// the high nibble.
void NonLinear32(const uint8_t* qs, const std::array<int8_t, 16>& levels, int8_t* q) {
  for (int i = 0; i < 16; ++i) {
    q[i] = levels[qs[i] & 0x0f];
    q[i + 16] = levels[qs[i] >> 4];
  }
}

float Scale(const BlockIQ4_NL& b) { return HalfToFloat(b.d); }
float Scale(const BlockMXFP4& b) { return kE8M0HalfScales[b.e]; }

// IQ4_NL and MXFP4: 32 codes into a table of 16 integer levels and one scale per block.
template <typename Block, const std::array<int8_t, 16>& kLevels>
float DotNonLinear32(int64_t n, const uint8_t* w, const ActRow& x) {
  const Block* b = Blocks<Block>(w);
  float s = 0.0f;
  for (int64_t j = 0; j < n / kQK; ++j) {
    int8_t q[kQK];
    NonLinear32(b[j].qs, kLevels, q);
    int32_t dot = 0;
    for (int i = 0; i < kQK; ++i) dot += q[i] * x.qs[j * kQK + i];
    s += Scale(b[j]) * x.d[j] * static_cast<float>(dot);
  }
  return s;
}

// IQ4_XS: 8 sub-blocks of 32 IQ4_NL codes, each with a 6-bit scale biased by 32.
float DotIQ4_XS(int64_t n, const uint8_t* w, const ActRow& x) {
  const BlockIQ4_XS* b = Blocks<BlockIQ4_XS>(w);
  float s = 0.0f;
  for (int64_t i = 0; i < n / kQKK; ++i) {
    int8_t q[kQKK];
    int8_t scales[8];
    for (ptrdiff_t ib = 0; ib < 8; ++ib) {
      NonLinear32(b[i].qs + 16 * ib, kIq4NlValues, q + 32 * ib);
      const int low = (b[i].scales_l[ib / 2] >> (4 * (ib % 2))) & 0x0f;
      const int high = (b[i].scales_h >> (2 * ib)) & 3;
      scales[ib] = static_cast<int8_t>((low | (high << 4)) - 32);
    }
    const int32_t isum = ScaledDot256(q, x.qs + i * kQKK, scales, 32);
    s += HalfToFloat(b[i].d) * x.d[i] * static_cast<float>(isum);
  }
  return s;
}

// Eight signed values from two grid points (four magnitude bytes each) and a sign mask.
void GridPair(uint32_t lo, uint32_t hi, uint8_t signs, int8_t* q) {
  const uint64_t magnitudes = lo | (static_cast<uint64_t>(hi) << 32);
  for (int j = 0; j < 8; ++j) {
    const auto m = static_cast<int8_t>((magnitudes >> (8 * j)) & 0xff);
    q[j] = (signs >> j) & 1 ? static_cast<int8_t>(-m) : m;
  }
}

// IQ3_XXS: sub-block scale d * (2s + 1) / 4; the integer 2s + 1 goes into the dot and the
// 1/4 into the float factor.
float DotIQ3_XXS(int64_t n, const uint8_t* w, const ActRow& x) {
  const BlockIQ3_XXS* b = Blocks<BlockIQ3_XXS>(w);
  float s = 0.0f;
  for (int64_t i = 0; i < n / kQKK; ++i) {
    const uint8_t* grid_index = b[i].qs;
    int8_t q[kQKK];
    int8_t scales[8];
    for (ptrdiff_t ib = 0; ib < 8; ++ib) {
      uint32_t word;
      std::memcpy(&word, b[i].qs + kQKK / 4 + 4 * ib, 4);
      scales[ib] = static_cast<int8_t>(2 * (word >> 28) + 1);
      for (ptrdiff_t l = 0; l < 4; ++l) {
        GridPair(kIq3XxsGrid[grid_index[8 * ib + 2 * l]],
                 kIq3XxsGrid[grid_index[8 * ib + 2 * l + 1]], kIqSignMasks[(word >> (7 * l)) & 127],
                 q + 32 * ib + 8 * l);
      }
    }
    const int32_t isum = ScaledDot256(q, x.qs + i * kQKK, scales, 32);
    s += 0.25f * HalfToFloat(b[i].d) * x.d[i] * static_cast<float>(isum);
  }
  return s;
}

// IQ3_S: sub-block scale d * (2s + 1); grid indices have a ninth bit in qh.
float DotIQ3_S(int64_t n, const uint8_t* w, const ActRow& x) {
  const BlockIQ3_S* b = Blocks<BlockIQ3_S>(w);
  float s = 0.0f;
  for (int64_t i = 0; i < n / kQKK; ++i) {
    int8_t q[kQKK];
    int8_t scales[8];
    for (ptrdiff_t ib = 0; ib < 8; ++ib) {
      scales[ib] = static_cast<int8_t>(2 * ((b[i].scales[ib / 2] >> (4 * (ib % 2))) & 0x0f) + 1);
      const uint8_t* qs = b[i].qs + 8 * ib;
      const uint8_t qh = b[i].qh[ib];
      for (ptrdiff_t l = 0; l < 4; ++l) {
        const int lo = qs[2 * l] | (((qh >> (2 * l)) & 1) << 8);
        const int hi = qs[2 * l + 1] | (((qh >> (2 * l + 1)) & 1) << 8);
        GridPair(kIq3SGrid[lo], kIq3SGrid[hi], b[i].signs[4 * ib + l], q + 32 * ib + 8 * l);
      }
    }
    const int32_t isum = ScaledDot256(q, x.qs + i * kQKK, scales, 32);
    s += HalfToFloat(b[i].d) * x.d[i] * static_cast<float>(isum);
  }
  return s;
}

}  // namespace

void SetLowBitScalarKernels(KernelTable* t) {
  t->q2_k = {ActKind::kQ8x256, DotQ2_K, nullptr, {}};
  t->q3_k = {ActKind::kQ8x256, DotQ3_K, nullptr, {}};
  t->iq4_nl = {ActKind::kQ8x32, DotNonLinear32<BlockIQ4_NL, kIq4NlValues>, nullptr, {}};
  t->mxfp4 = {ActKind::kQ8x32, DotNonLinear32<BlockMXFP4, kMxfp4Values>, nullptr, {}};
  t->iq4_xs = {ActKind::kQ8x256, DotIQ4_XS, nullptr, {}};
  t->iq3_xxs = {ActKind::kQ8x256, DotIQ3_XXS, nullptr, {}};
  t->iq3_s = {ActKind::kQ8x256, DotIQ3_S, nullptr, {}};
}

}  // namespace hfd::cpu
