// Writes the Hugging Face twin of a bert or nomic-bert GGUF file, as a sentence-transformers
// model saves it: model.safetensors with BertModel's or NomicBertModel's names (F32),
// config.json, modules.json and 1_Pooling/config.json declaring `pooling`. It tests the
// HF-side mapping; the GGUF tests the arithmetic.
#pragma once

#include <filesystem>

#include "engine/model/model_desc.h"
#include "hfd/status.h"

namespace hfd::testing {

Status WriteBertTwin(const std::filesystem::path& gguf, const std::filesystem::path& dir,
                     model::Pooling pooling);

// The sentence-transformers files alone, as the twin has them: modules.json (Transformer,
// Pooling, Normalize) and 1_Pooling/config.json declaring `pooling` for vectors of `width`.
Status WriteSentenceTransformersFiles(const std::filesystem::path& dir, int64_t width,
                                      model::Pooling pooling);

}  // namespace hfd::testing
