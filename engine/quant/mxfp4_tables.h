// Constants of the OCP Microscaling (MX) v1.0 format MXFP4, as GGML stores it (type 39):
// 32 E2M1 values sharing one E8M0 scale. Data only (no inline functions run at run time),
// so the per-ISA kernel translation units can include this header safely.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

namespace hfd {

// The E2M1 values of the 16 codes (0, 0.5, 1, 1.5, 2, 3, 4, 6; bit 3 the sign) doubled, so
// that they are integers and dot products stay in int8; the scale is halved to match
// (kE8M0HalfScales). Code 8 is -0.
inline constexpr std::array<int8_t, 16> kMxfp4Values = {0, 1,  2,  3,  4,  6,  8,  12,
                                                        0, -1, -2, -3, -4, -6, -8, -12};

namespace mxfp4_internal {
// E8M0 byte e is the scale 2^(e - 127); e = 255 is NaN (OCP MX v1.0). Entry e holds
// half of it, 2^(e - 128), exactly: e < 2 are subnormal floats. GGML decodes e = 255 as
// 2^127 instead; no encoder writes it.
consteval std::array<float, 256> MakeE8M0HalfScales() {
  std::array<float, 256> t{};
  for (uint32_t e = 0; e < 256; ++e) {
    const uint32_t bits = e == 255 ? 0x7fc00000u : e < 2 ? 0x00200000u << e : (e - 1) << 23;
    t[e] = std::bit_cast<float>(bits);
  }
  return t;
}
}  // namespace mxfp4_internal

inline constexpr std::array<float, 256> kE8M0HalfScales = mxfp4_internal::MakeE8M0HalfScales();

}  // namespace hfd
