// Builds a ModelDesc from GGUF metadata (and the presence of optional tensors).
#pragma once

#include "engine/gguf/gguf_file.h"
#include "engine/model/model_desc.h"

namespace hfd::model {

// Reads `{arch}.*` and `tokenizer.ggml.*` keys; errors name the missing key or the
// unsupported feature (architecture, rope scaling type, partial rotary dimensions).
Result<ModelDesc> DescFromGguf(const gguf::GgufFile& file);

}  // namespace hfd::model
