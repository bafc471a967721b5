// The self-check that stands between a device's cooperative-matrix support and its use:
// a random matmul recorded both ways must agree within the rounding of half-precision
// inputs, else the portable kernel stays in use. Costs a few milliseconds at start.
#pragma once

#include <functional>
#include <string>

#include "backends/vulkan/buffer.h"
#include "backends/vulkan/command_stream.h"
#include "backends/vulkan/coopmat.h"
#include "backends/vulkan/kernels.h"
#include "backends/vulkan/tensor_buffer.h"

namespace hfd::vk {

// Records y = W x for `ntok` tokens one way.
using RecordMatMul = std::function<Status(CommandStream& s, const DeviceTensor& w, const Buffer& x,
                                          const Buffer& y, uint32_t ntok)>;

// Runs a random 96 x 320 Q8_0 matmul over 40 tokens (two output tiles of rows, one
// partial tile of tokens) through both and compares them (CompareWithinInputRounding).
Status CheckMatMulAgreement(Device& device, Transfer& transfer, const RecordMatMul& reference,
                            const RecordMatMul& candidate);

// Switches `kernels` to cooperative matrices when `choice` allows and the self-check
// passes; returns what prefill uses and why, for status and logs.
std::string EnableCoopMat(Device& device, Transfer& transfer, Kernels& kernels,
                          const CoopMatChoice& choice);

}  // namespace hfd::vk
