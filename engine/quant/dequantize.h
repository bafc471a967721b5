// Scalar reference conversion between f32 and every supported tensor type. These are
// the ground truth the fast CPU and Vulkan kernels are tested against; they favour
// clarity over speed. Thread-safe (no shared state).
#pragma once

#include <cstdint>

#include "engine/quant/tensor_type.h"
#include "hfd/status.h"

namespace hfd {

// Decodes `n` values of `type` at `src` into `dst`. `n` must be a multiple of the
// type's block size; `src` needs no particular alignment.
Status DequantizeRow(TensorType type, const void* src, float* dst, int64_t n);

// Encodes `n` values into `type` at `dst` (RowBytes(type, n) bytes). Supported: F32, F16,
// BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q8_K, Q4_K, Q5_K, Q6_K, MXFP4. The K-type encoders
// search scales per sub-block like llama.cpp's reference quantizers (close in error,
// not bit-identical to llama-quantize); MXFP4 takes the OCP MX v1.0 shared scale.
Status QuantizeRow(TensorType type, const float* src, void* dst, int64_t n);

}  // namespace hfd
