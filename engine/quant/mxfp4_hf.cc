#include "engine/quant/mxfp4_hf.h"

#include <cstring>
#include <string>

#include "engine/quant/blocks.h"

namespace hfd {

Status PackMxfp4FromHf(std::span<const uint8_t> blocks, std::span<const uint8_t> scales,
                       std::span<uint8_t> out) {
  const size_t groups = scales.size();
  if (blocks.size() != groups * (kQK / 2) || out.size() != groups * sizeof(BlockMXFP4)) {
    return InvalidArgument("MXFP4 tensor pair does not match: " + std::to_string(groups) +
                           " scales need " + std::to_string(groups * (kQK / 2)) +
                           " block bytes, the tensor has " + std::to_string(blocks.size()) +
                           "; the checkpoint's _blocks and _scales tensors disagree");
  }
  for (size_t g = 0; g < groups; ++g) {
    uint8_t codes[kQK];
    for (size_t i = 0; i < kQK / 2; ++i) {
      const uint8_t byte = blocks[g * (kQK / 2) + i];
      codes[2 * i] = byte & 0x0f;
      codes[2 * i + 1] = byte >> 4;
    }
    BlockMXFP4 b;
    b.e = scales[g];
    for (int j = 0; j < kQK / 2; ++j) {
      b.qs[j] = static_cast<uint8_t>(codes[j] | (codes[j + kQK / 2] << 4));
    }
    std::memcpy(out.data() + g * sizeof(BlockMXFP4), &b, sizeof(BlockMXFP4));
  }
  return Status::Ok();
}

}  // namespace hfd
