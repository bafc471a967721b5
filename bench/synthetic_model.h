// Synthetic GGUF models with random weights in the exact shapes of real ones, so engine
// speed is measured at realistic sizes without downloading anything.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/gguf/gguf_writer.h"
#include "engine/quant/tensor_type.h"
#include "include/hfd/status.h"

namespace hfd::bench {

struct ModelShape {
  std::string name;  // "tinyllama-1.1b"
  std::string arch;  // GGUF general.architecture: "llama", "qwen2"
  int64_t n_vocab, n_embd, n_layer, n_head, n_head_kv, head_dim, n_ff;
  double rope_theta;
  double rms_eps;
  bool tied_embeddings;
  bool qkv_bias;
  double llama3_rope_factor;  // 0: no llama3 frequency scaling
};

// TinyLlama-1.1B, Llama-3.2-1B, Qwen2.5-0.5B.
const std::vector<ModelShape>& KnownShapes();
Result<ModelShape> ShapeByName(std::string_view name);

// `mix` names how weights are stored, like llama.cpp's file types: "F16", "Q8_0", "Q4_0",
// "Q4_K_M". Norms and biases stay F32 in all of them.

// The type llama-quantize would give `tensor` (GGUF name) in `mix`: Q4_K_M uses Q6_K for
// the output head and for attn_v/ffn_down in the layers llama.cpp's use_more_bits picks,
// Q4_K elsewhere; rows not a multiple of 256 fall back to Q5_0 (Q4_K) or Q8_0 (Q6_K) as
// llama.cpp does. Every mix gives the output head Q6_K except F16 and Q8_0.
Result<TensorType> TypeFor(const ModelShape& shape, std::string_view mix, std::string_view tensor,
                           int64_t row_length);

// Writes the model as a GGUF file (random weights from `seed`; a small pool of random rows
// is quantized per tensor and repeated, which keeps writing fast without changing what a
// forward pass reads). `add_metadata`, when given, adds more keys (e.g. a tokenizer).
Status WriteSyntheticModel(const ModelShape& shape, std::string_view mix,
                           const std::filesystem::path& path, uint32_t seed = 1,
                           const std::function<void(gguf::GgufWriter&)>& add_metadata = {});

}  // namespace hfd::bench
