// Scale unpacking shared by the reference decoders and the CPU kernels. Plain functions
// defined in one translation unit, so kernel units built with other target flags can call
// them safely.
#pragma once

#include <cstdint>

namespace hfd {

// Q3_K's sixteen 6-bit scales (stored biased by 32 in 12 bytes) as signed values.
void UnpackQ3KScales(const uint8_t packed[12], int8_t out[16]);

}  // namespace hfd
