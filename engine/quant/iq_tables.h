// Lookup tables of GGML's "i-quant" types (IQ4_NL, IQ4_XS, IQ3_XXS, IQ3_S): published
// constants of the format, shared by the reference decoders and the CPU kernels. Data
// only (no inline functions run at run time), so the per-ISA kernel translation units can
// include this header safely.
#pragma once

#include <array>
#include <cstdint>

namespace hfd {

// The 16 non-uniformly spaced levels a 4-bit IQ4_NL / IQ4_XS code selects.
inline constexpr std::array<int8_t, 16> kIq4NlValues = {-127, -104, -83, -65, -49, -35, -22, -10,
                                                        1,    13,   25,  38,  53,  69,  89,  113};

// IQ3_XXS: 256 grid points, four unsigned magnitudes (bytes, little-endian) each.
extern const uint32_t kIq3XxsGrid[256];
// IQ3_S: 512 grid points, four unsigned magnitudes (bytes, little-endian) each.
extern const uint32_t kIq3SGrid[512];

namespace iq_internal {
consteval std::array<uint8_t, 128> MakeSignTable() {
  std::array<uint8_t, 128> t{};
  for (int i = 0; i < 128; ++i) {
    int ones = 0;
    for (int b = 0; b < 7; ++b) ones += (i >> b) & 1;
    t[i] = static_cast<uint8_t>(i | ((ones & 1) << 7));
  }
  return t;
}
}  // namespace iq_internal

// IQ3_XXS stores 7 sign bits per 8 values; the eighth makes the count of negatives even.
// Entry i is the full 8-bit sign mask (bit j set: value j is negative) for 7-bit code i.
inline constexpr std::array<uint8_t, 128> kIqSignMasks = iq_internal::MakeSignTable();

}  // namespace hfd
