#include "tests/embed/bert_twin.h"

#include <fstream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/gguf/gguf_file.h"
#include "engine/model/model_files.h"
#include "engine/model/tensor_names.h"
#include "engine/quant/dequantize.h"
#include "tests/support/safetensors_writer.h"

namespace hfd::testing {
namespace {

void WriteJson(const std::filesystem::path& file, const nlohmann::json& doc) {
  std::ofstream(file) << doc.dump(1) << "\n";
}

// config.json of the family's Hugging Face model: BertConfig's keys, or NomicBertConfig's
// (GPT2Config's names) with what llama.cpp's converter requires of it.
nlohmann::json TwinConfig(const model::ModelDesc& d) {
  if (d.arch == model::Architecture::kNomicBert) {
    return {{"architectures", {"NomicBertModel"}},
            {"model_type", "nomic_bert"},
            {"vocab_size", d.n_vocab},
            {"n_embd", d.n_embd},
            {"n_layer", d.n_layer},
            {"n_head", d.n_head},
            {"n_inner", d.n_ff},
            {"n_positions", d.n_ctx_train},
            {"max_trained_positions", d.n_ctx_train},
            {"type_vocab_size", d.n_token_types},
            {"layer_norm_epsilon", d.rms_eps},
            {"activation_function", "swiglu"},
            {"rotary_emb_base", d.rope_theta},
            {"rotary_emb_fraction", 1.0},
            {"rotary_emb_interleaved", false},
            {"rotary_emb_scale_base", nullptr},
            {"rotary_scaling_factor", nullptr},
            {"qkv_proj_bias", false},
            {"mlp_fc1_bias", false},
            {"mlp_fc2_bias", false},
            {"prenorm", false},
            {"causal", false}};
  }
  return {{"architectures", {"BertModel"}},
          {"model_type", "bert"},
          {"vocab_size", d.n_vocab},
          {"hidden_size", d.n_embd},
          {"num_hidden_layers", d.n_layer},
          {"num_attention_heads", d.n_head},
          {"intermediate_size", d.n_ff},
          {"max_position_embeddings", d.n_ctx_train},
          {"type_vocab_size", d.n_token_types},
          {"layer_norm_eps", d.rms_eps},
          {"hidden_act", "gelu"},
          {"position_embedding_type", "absolute"}};
}

}  // namespace

Status WriteBertTwin(const std::filesystem::path& gguf, const std::filesystem::path& dir,
                     model::Pooling pooling) {
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<model::ModelFiles> files, model::OpenModelFiles(gguf));
  const model::ModelDesc& d = files->desc();
  if (files->gguf() == nullptr) return InvalidArgument(gguf.string() + " is not a GGUF file");
  std::map<std::string, F32Tensor> tensors;
  // The stored tensors, nomic-bert's fused attn_qkv as it is (Wqkv is fused too).
  for (const gguf::TensorInfo& w : files->gguf()->tensors()) {
    const auto hf = model::HfFromCanonical(w.name, d.arch);
    if (!hf) return Internal("no Hugging Face name for " + w.name);
    F32Tensor t{std::vector<int64_t>(w.shape.rbegin(), w.shape.rend()), {}};
    int64_t n = 1;
    for (int64_t s : w.shape) n *= s;
    t.data.resize(static_cast<size_t>(n));
    const int64_t row = w.shape[0];
    const int64_t row_bytes = RowBytes(w.type, row);
    for (int64_t r = 0; r < n / row; ++r) {
      HFD_RETURN_IF_ERROR(DequantizeRow(w.type, w.data + r * row_bytes, &t.data[r * row], row));
    }
    tensors[*hf] = std::move(t);
  }
  std::filesystem::create_directories(dir);
  WriteF32Safetensors(dir / "model.safetensors", tensors);
  WriteJson(dir / "config.json", TwinConfig(d));
  return WriteSentenceTransformersFiles(dir, d.n_embd, pooling);
}

Status WriteSentenceTransformersFiles(const std::filesystem::path& dir, int64_t width,
                                      model::Pooling pooling) {
  std::filesystem::create_directories(dir / "1_Pooling");
  WriteJson(dir / "modules.json", {{{"idx", 0},
                                    {"name", "0"},
                                    {"path", ""},
                                    {"type", "sentence_transformers.models.Transformer"}},
                                   {{"idx", 1},
                                    {"name", "1"},
                                    {"path", "1_Pooling"},
                                    {"type", "sentence_transformers.models.Pooling"}},
                                   {{"idx", 2},
                                    {"name", "2"},
                                    {"path", "2_Normalize"},
                                    {"type", "sentence_transformers.models.Normalize"}}});
  WriteJson(dir / "1_Pooling/config.json",
            {{"word_embedding_dimension", width},
             {"pooling_mode_cls_token", pooling == model::Pooling::kCls},
             {"pooling_mode_mean_tokens", pooling == model::Pooling::kMean},
             {"pooling_mode_max_tokens", false},
             {"pooling_mode_mean_sqrt_len_tokens", false},
             {"pooling_mode_weightedmean_tokens", false},
             {"pooling_mode_lasttoken", pooling == model::Pooling::kLast}});
  return Status::Ok();
}

}  // namespace hfd::testing
