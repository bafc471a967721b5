// Writes a GGUF model with a given description and random weights: used by benches to
// measure realistic shapes (TinyLlama-1.1B, Llama-3-8B, ...) and by tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>
#include <vector>

#include "engine/gguf/gguf_writer.h"

#include "engine/model/model_desc.h"
#include "engine/quant/tensor_type.h"

namespace hfd::model {

// Weight matrices are stored as `weight_type` (norms and biases as F32), token ids and
// vocabulary are placeholders (no usable tokenizer) unless SyntheticOptions::vocab_from
// names a vocabulary to copy. Values are Gaussian with a scale
// like a trained model's (64 distinct rows per tensor, repeated); deterministic for a
// given `seed`. Streams tensor by tensor, so multi-gigabyte models need little memory.
Status WriteSyntheticGguf(const ModelDesc& desc, TensorType weight_type,
                          const std::filesystem::path& path, uint64_t seed = 1);

// What else a synthetic model may carry, for one that runs end to end (the demo model).
struct SyntheticOptions {
  uint64_t seed = 1;
  // Distinct random rows per weight tensor, repeated beyond that; 0: every row differs
  // (slower to write, but no two tokens share an embedding).
  int64_t distinct_rows = 64;
  // Adds metadata after the model's own keys (e.g. a tokenizer and a chat template); it
  // must not repeat them (general.*, <arch>.*, tokenizer.ggml.bos/eos_token_id).
  std::function<void(gguf::GgufWriter&)> extra_metadata;
  // The type of each weight matrix from its GGUF name and row length, for per-tensor
  // mixes like llama.cpp's Q4_K_M (bench/); empty: every matrix is `weight_type`. Norms
  // and biases stay F32 either way.
  std::function<TensorType(std::string_view tensor_name, int64_t row_length)> tensor_type;
  // A GGUF file (a vocab-only file or a model) whose tokenizer.ggml.* keys are copied, its
  // token list padded with unused placeholder tokens to the model's n_vocab, so llama.cpp's
  // tools can load the result; its BOS/EOS ids replace the description's. Empty: none.
  std::filesystem::path vocab_from;
  // Norm weights are 1 + N(0, norm_spread) instead of all ones, so that a test can tell
  // which norm weight was applied where.
  float norm_spread = 0.0f;
};
Status WriteSyntheticGguf(const ModelDesc& desc, TensorType weight_type,
                          const std::filesystem::path& path, const SyntheticOptions& options);

// Descriptions with the real shapes of popular models ("tinyllama-1.1b", "llama-3.2-1b",
// "qwen2.5-0.5b", "llama-3-8b", "gemma-2-2b", "granite-3-2b", "phi-3-mini", and the
// mixtures of experts "qwen1.5-moe-a2.7b", "qwen3-30b-a3b" and "gpt-oss-20b"); NotFound for
// other names.
Result<ModelDesc> PresetDesc(std::string_view name);

// `n` token ids drawn uniformly from [0, vocab), the same for the same `seed`: prompts for
// synthetic models in tests and benches, whose tokens do not matter (distinct seeds keep
// the prefix cache from sharing them).
std::vector<int32_t> RandomTokens(int n, int64_t vocab, uint32_t seed);

}  // namespace hfd::model
