// Synthetic GGUF models with random weights in the exact shapes of real ones, so engine
// speed is measured at realistic sizes without downloading anything. Shapes are
// model::PresetDesc's and writing is model::WriteSyntheticGguf's; what is bench-specific
// is how weights are stored: llama.cpp's per-tensor quantization mixes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/gguf/gguf_writer.h"
#include "engine/model/model_desc.h"
#include "engine/model/synthetic_gguf.h"
#include "engine/quant/tensor_type.h"
#include "include/hfd/status.h"

namespace hfd::bench {

// `mix` names how weights are stored, like llama.cpp's file types: "F32", "F16", "Q8_0",
// "Q4_0", "Q4_K_M". Norms, biases and BERT's token-type table stay F32 in all of them.

// The type llama-quantize would give `tensor` (GGUF name) in `mix`: Q4_K_M uses Q6_K for
// the output head and for attn_v/ffn_down in the layers llama.cpp's use_more_bits picks,
// Q4_K elsewhere; rows not a multiple of 256 fall back to Q5_0 (Q4_K) or Q8_0 (Q6_K) as
// llama.cpp does. Every mix gives the output head Q6_K except F16 and Q8_0.
Result<TensorType> TypeFor(const model::ModelDesc& desc, std::string_view mix,
                           std::string_view tensor, int64_t row_length);

// Writes `desc` (e.g. from model::PresetDesc) as a GGUF file with weights in `mix` (random
// from `seed`; a small pool of random rows per tensor is repeated, which keeps writing fast
// without changing what a forward pass reads). `add_metadata`, when given, adds more keys
// (e.g. a tokenizer).
Status WriteSyntheticModel(const model::ModelDesc& desc, std::string_view mix,
                           const std::filesystem::path& path, uint64_t seed = 1,
                           const std::function<void(gguf::GgufWriter&)>& add_metadata = {});

// The same with every other writer option (a vocabulary, all rows distinct, ...); their
// tensor_type is replaced by the mix's.
Status WriteSyntheticModel(const model::ModelDesc& desc, std::string_view mix,
                           const std::filesystem::path& path, model::SyntheticOptions options);

// A GGUF file a benchmark measures: an existing one, or `synthetic` (a shape) written in
// the `type` mix the first time it is asked for.
struct BenchTarget {
  std::string name, type;
  std::filesystem::path path;
  std::optional<model::ModelDesc> synthetic;
};

// Writes `target`'s file (its folder too) when it is synthetic and not there yet, with the
// tokenizer of the GGUF file `vocab_from` when one is named (so llama.cpp loads it).
Status EnsureWritten(const BenchTarget& target, const std::filesystem::path& vocab_from);

}  // namespace hfd::bench
