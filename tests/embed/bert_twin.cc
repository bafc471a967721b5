#include "tests/embed/bert_twin.h"

#include <fstream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/model/model_files.h"
#include "engine/model/tensor_names.h"
#include "engine/quant/dequantize.h"
#include "tests/support/safetensors_writer.h"

namespace hfd::testing {
namespace {

void WriteJson(const std::filesystem::path& file, const nlohmann::json& doc) {
  std::ofstream(file) << doc.dump(1) << "\n";
}

}  // namespace

Status WriteBertTwin(const std::filesystem::path& gguf, const std::filesystem::path& dir,
                     model::Pooling pooling) {
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<model::ModelFiles> files, model::OpenModelFiles(gguf));
  const model::ModelDesc& d = files->desc();
  std::map<std::string, F32Tensor> tensors;
  for (const std::string& name : files->WeightNames()) {
    const auto hf = model::HfFromCanonical(name, model::Architecture::kBert);
    if (!hf) return Internal("no BertModel name for " + name);
    HFD_ASSIGN_OR_RETURN(const model::WeightView w, files->Weight(name));
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
  WriteJson(dir / "config.json", {{"architectures", {"BertModel"}},
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
                                  {"position_embedding_type", "absolute"}});
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
