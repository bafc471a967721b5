// A view of one weight tensor, wherever it is stored.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/quant/tensor_type.h"

namespace hfd::model {

// Memory-mapped bytes of one tensor (no copy), valid while the ModelFiles that gave it
// lives. GGUF tensors keep their quantized type; safetensors tensors keep their dtype
// (F32/F16/BF16) and Hugging Face row order.
struct WeightView {
  TensorType type;
  std::vector<int64_t> shape;  // GGML order: shape[0] = row length (in_features)
  const uint8_t* data;
  uint64_t nbytes;
  // A 3-D tensor of stacked experts ({row length, rows, experts}) whose experts are stored
  // apart (safetensors keeps one tensor per expert): where each expert's rows begin. Empty
  // when the experts follow each other from `data` (GGUF).
  std::vector<const uint8_t*> parts = {};
};

class ModelFiles;
using ModelWeights = ModelFiles;  // the name some callers use for the same object

}  // namespace hfd::model
