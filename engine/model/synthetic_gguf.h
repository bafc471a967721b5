// Writes a GGUF model with a given description and random weights: used by benches to
// measure realistic shapes (TinyLlama-1.1B, Llama-3-8B, ...) and by tests.
#pragma once

#include <cstdint>
#include <filesystem>

#include "engine/model/model_desc.h"
#include "engine/quant/tensor_type.h"

namespace hfd::model {

// Weight matrices are stored as `weight_type` (norms and biases as F32), token ids and
// vocabulary are placeholders (no usable tokenizer). Values are Gaussian with a scale
// like a trained model's (64 distinct rows per tensor, repeated); deterministic for a
// given `seed`. Streams tensor by tensor, so multi-gigabyte models need little memory.
Status WriteSyntheticGguf(const ModelDesc& desc, TensorType weight_type,
                          const std::filesystem::path& path, uint64_t seed = 1);

// Descriptions with the real shapes of popular models ("tinyllama-1.1b", "llama-3.2-1b",
// "qwen2.5-0.5b", "llama-3-8b"); NotFound for other names.
Result<ModelDesc> PresetDesc(std::string_view name);

}  // namespace hfd::model
