#include "bench/synthetic_model.h"

#include <string>
#include <utility>

#include <fmt/format.h>

namespace hfd::bench {

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// llama.cpp's use_more_bits(i_layer, n_layers).
bool UseMoreBits(int64_t layer, int64_t n_layer) {
  return layer < n_layer / 8 || layer >= 7 * n_layer / 8 || (layer - n_layer / 8) % 3 == 2;
}

int64_t LayerOf(std::string_view tensor) {
  if (tensor.substr(0, 4) != "blk.") return -1;
  return std::stoll(std::string(tensor.substr(4, tensor.find('.', 4) - 4)));
}

// llama.cpp's fallback when a row does not divide into 256-value super-blocks.
TensorType Fallback(TensorType type, int64_t row_length) {
  if (row_length % 256 == 0) return type;
  if (type == TensorType::kQ6_K) return TensorType::kQ8_0;
  if (type == TensorType::kQ4_K) return TensorType::kQ5_0;
  return type;
}

}  // namespace

Result<TensorType> TypeFor(const model::ModelDesc& desc, std::string_view mix,
                           std::string_view tensor, int64_t row_length) {
  const bool head =
      tensor == "output.weight" || (desc.tied_embeddings && tensor == "token_embd.weight");
  // llama.cpp's converter keeps BERT's token-type table F32 (its graph adds a view of it).
  if (mix == "F32" || tensor == "token_types.weight") return TensorType::kF32;
  if (mix == "F16") return TensorType::kF16;
  if (mix == "Q8_0") return TensorType::kQ8_0;
  if (mix == "Q4_0") return head ? Fallback(TensorType::kQ6_K, row_length) : TensorType::kQ4_0;
  if (mix == "Q4_K_M") {
    TensorType type = TensorType::kQ4_K;
    const int64_t layer = LayerOf(tensor);
    if (head) {
      type = TensorType::kQ6_K;
    } else if ((EndsWith(tensor, "attn_v.weight") || EndsWith(tensor, "ffn_down.weight")) &&
               UseMoreBits(layer, desc.n_layer)) {
      type = TensorType::kQ6_K;
    } else if (EndsWith(tensor, "attn_qkv.weight")) {
      type = TensorType::kQ5_K;  // Phi-3's fused q/k/v, as llama-quantize types it
    }
    return Fallback(type, row_length);
  }
  return InvalidArgument(
      fmt::format("unknown weight mix {}; use F32, F16, Q8_0, Q4_0 or Q4_K_M", mix));
}

Status WriteSyntheticModel(const model::ModelDesc& desc, std::string_view mix,
                           const std::filesystem::path& path, uint64_t seed,
                           const std::function<void(gguf::GgufWriter&)>& add_metadata) {
  model::SyntheticOptions options;
  options.seed = seed;
  options.extra_metadata = add_metadata;
  return WriteSyntheticModel(desc, mix, path, std::move(options));
}

Status WriteSyntheticModel(const model::ModelDesc& desc, std::string_view mix,
                           const std::filesystem::path& path, model::SyntheticOptions options) {
  // TypeFor fails only on an unknown mix, so checking the mix once here lets the hook
  // below, which cannot return a Status, take its value.
  HFD_RETURN_IF_ERROR(TypeFor(desc, mix, "token_embd.weight", desc.n_embd).status());
  options.tensor_type = [&desc, mix](std::string_view tensor, int64_t row_length) {
    return *TypeFor(desc, mix, tensor, row_length);
  };
  // The hook types every matrix, so the writer's own weight type is never used.
  return model::WriteSyntheticGguf(desc, TensorType::kF32, path, options);
}

Status EnsureWritten(const BenchTarget& target, const std::filesystem::path& vocab_from) {
  if (!target.synthetic || std::filesystem::exists(target.path)) return Status::Ok();
  std::filesystem::create_directories(target.path.parent_path());
  model::SyntheticOptions options;
  options.vocab_from = vocab_from;
  return WriteSyntheticModel(*target.synthetic, target.type, target.path, std::move(options));
}

}  // namespace hfd::bench
