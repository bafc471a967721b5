// Decoders for GGML's non-linear "i-quant" types (IQ4_NL, IQ4_XS, IQ3_XXS, IQ3_S) and
// MXFP4: their codes index lookup tables (iq_tables.h, mxfp4_tables.h) rather than scaling
// integers directly.
#include <array>
#include <cstddef>
#include <cstring>

#include "engine/quant/block_codecs.h"
#include "engine/quant/half.h"
#include "engine/quant/iq_tables.h"
#include "engine/quant/mxfp4_tables.h"

namespace hfd::quant_internal {
namespace {

// 32 values from 16 bytes of 4-bit codes (value i < 16: low nibble of byte i, value i + 16:
// the high nibble), each the code's entry in `levels` times `scale`.
void DecodeNonLinear32(const uint8_t* qs, const std::array<int8_t, 16>& levels, float scale,
                       float* y) {
  for (int i = 0; i < 16; ++i) {
    y[i] = scale * static_cast<float>(levels[qs[i] & 0x0f]);
    y[i + 16] = scale * static_cast<float>(levels[qs[i] >> 4]);
  }
}

// Eight values: two grid points of four magnitudes, negated where `signs` has a bit set.
void DecodeGridPair(uint32_t grid_lo, uint32_t grid_hi, uint8_t signs, float scale, float* y) {
  const uint64_t magnitudes = grid_lo | (static_cast<uint64_t>(grid_hi) << 32);
  for (int j = 0; j < 8; ++j) {
    const auto m = static_cast<float>((magnitudes >> (8 * j)) & 0xff);
    y[j] = scale * ((signs >> j) & 1 ? -m : m);
  }
}

}  // namespace

void DecodeBlock(const BlockIQ4_NL& b, float* y) {
  DecodeNonLinear32(b.qs, kIq4NlValues, HalfToFloat(b.d), y);
}

// The doubled E2M1 values times half the E8M0 scale: exact products (both are powers of
// two times integers below 16).
void DecodeBlock(const BlockMXFP4& b, float* y) {
  DecodeNonLinear32(b.qs, kMxfp4Values, kE8M0HalfScales[b.e], y);
}

void DecodeBlock(const BlockIQ4_XS& b, float* y) {
  const float d = HalfToFloat(b.d);
  for (ptrdiff_t ib = 0; ib < 8; ++ib) {
    const int low = (b.scales_l[ib / 2] >> (4 * (ib % 2))) & 0x0f;
    const int high = (b.scales_h >> (2 * ib)) & 3;
    const int scale = (low | (high << 4)) - 32;
    DecodeNonLinear32(b.qs + 16 * ib, kIq4NlValues, d * static_cast<float>(scale), y + 32 * ib);
  }
}

void DecodeBlock(const BlockIQ3_XXS& b, float* y) {
  const float d = HalfToFloat(b.d);
  const uint8_t* grid_index = b.qs;
  const uint8_t* words = b.qs + kQKK / 4;
  for (ptrdiff_t ib = 0; ib < 8; ++ib) {
    uint32_t word;
    std::memcpy(&word, words + 4 * ib, 4);
    // The top 4 bits s give the sub-block's scale d * (s + 1/2) / 2.
    const float scale = d * (0.5f + static_cast<float>(word >> 28)) * 0.5f;
    for (ptrdiff_t l = 0; l < 4; ++l) {
      const uint8_t signs = kIqSignMasks[(word >> (7 * l)) & 127];
      DecodeGridPair(kIq3XxsGrid[grid_index[2 * l]], kIq3XxsGrid[grid_index[2 * l + 1]], signs,
                     scale, y);
      y += 8;
    }
    grid_index += 8;
  }
}

void DecodeBlock(const BlockIQ3_S& b, float* y) {
  const float d = HalfToFloat(b.d);
  for (ptrdiff_t ib = 0; ib < 8; ++ib) {
    const int nibble = (b.scales[ib / 2] >> (4 * (ib % 2))) & 0x0f;
    const float scale = d * static_cast<float>(1 + 2 * nibble);
    const uint8_t* qs = b.qs + 8 * ib;
    const uint8_t qh = b.qh[ib];
    for (ptrdiff_t l = 0; l < 4; ++l) {
      // Bit 2l of qh is the ninth index bit of grid point 2l, bit 2l + 1 that of 2l + 1.
      const int lo = qs[2 * l] | (((qh >> (2 * l)) & 1) << 8);
      const int hi = qs[2 * l + 1] | (((qh >> (2 * l + 1)) & 1) << 8);
      DecodeGridPair(kIq3SGrid[lo], kIq3SGrid[hi], b.signs[4 * ib + l], scale, y);
      y += 8;
    }
  }
}

}  // namespace hfd::quant_internal
