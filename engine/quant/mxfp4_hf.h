// gpt-oss's Hugging Face checkpoints store each MXFP4 tensor as two U8 safetensors:
// `<name>_blocks` of shape [..., groups, 16], 32 E2M1 codes per group with value 2i in the
// low nibble of byte i and value 2i + 1 in the high nibble, and `<name>_scales` of shape
// [..., groups], the groups' E8M0 bytes. This converts them to GGML's MXFP4 blocks.
#pragma once

#include <cstdint>
#include <span>

#include "hfd/status.h"

namespace hfd {

// Writes the blocks of `scales.size()` groups to `out` in GGML's layout (BlockMXFP4, 17
// bytes each). InvalidArgument unless blocks holds 16 and out 17 bytes per group.
Status PackMxfp4FromHf(std::span<const uint8_t> blocks, std::span<const uint8_t> scales,
                       std::span<uint8_t> out);

}  // namespace hfd
