// ModelFiles over a Hugging Face directory: config.json for the description, safetensors
// for the weights, HF names mapped to canonical ones.
#include <algorithm>
#include <map>

#include "engine/io/read_small_file.h"
#include "engine/model/desc_from_config.h"
#include "engine/model/model_files_impl.h"
#include "engine/model/tensor_names.h"
#include "engine/safetensors/safetensors_checkpoint.h"

namespace hfd::model::internal {
namespace {

// Reads a JSON config file; an absent optional file yields "".
Result<std::string> ReadConfig(const io::ModelFileSet& files, std::string_view name,
                               bool required) {
  if (!files.Has(name)) {
    if (!required) return std::string();
    return NotFound(files.Label(name) + " is missing; is this a Hugging Face model directory?");
  }
  return io::ReadSmallFile(files, name, io::kConfigMaxBytes);
}

class HfModelFiles final : public ModelFiles {
 public:
  HfModelFiles(std::unique_ptr<safetensors::Checkpoint> ckpt, ModelDesc desc)
      : ckpt_(std::move(ckpt)), desc_(std::move(desc)) {
    for (const std::string& hf : ckpt_->names()) {
      if (auto canonical = CanonicalFromHf(hf)) by_canonical_[*canonical] = ckpt_->Find(hf);
    }
    // Tensors decide what the config may leave implicit.
    if (!by_canonical_.count("output.weight")) desc_.tied_embeddings = true;
    if (desc_.tied_embeddings) by_canonical_.erase("output.weight");
    desc_.qkv_bias = by_canonical_.count("blk.0.attn_q.bias") > 0;
    desc_.qk_norm = by_canonical_.count("blk.0.attn_q_norm.weight") > 0;
  }

  ModelFormat format() const override { return ModelFormat::kSafetensors; }
  const ModelDesc& desc() const override { return desc_; }
  const gguf::GgufFile* gguf() const override { return nullptr; }
  Status CheckIntact() const override { return ckpt_->CheckIntact(); }

  Result<WeightView> Weight(std::string_view name) const override {
    const auto it = by_canonical_.find(std::string(name));
    if (it == by_canonical_.end()) {
      return NotFound("the model has no weight '" + std::string(name) + "'");
    }
    const safetensors::HeaderEntry& e = *it->second;
    if (!e.supported) {
      return Unsupported("weight '" + e.name + "' has dtype " + e.dtype +
                         "; hfd reads F32, F16 and BF16 safetensors");
    }
    const safetensors::Tensor t = ckpt_->Get(e);
    // safetensors shapes are row-major [out, in]; GGML order lists the row length first.
    return WeightView{e.type, std::vector<int64_t>(e.shape.rbegin(), e.shape.rend()), t.data,
                      t.nbytes};
  }

  bool HasWeight(std::string_view name) const override {
    return by_canonical_.count(std::string(name)) > 0;
  }

  std::vector<std::string> WeightNames() const override {
    std::vector<std::string> names;
    for (const auto& [name, entry] : by_canonical_) names.push_back(name);
    return names;
  }

 private:
  std::unique_ptr<safetensors::Checkpoint> ckpt_;
  ModelDesc desc_;
  std::map<std::string, const safetensors::HeaderEntry*> by_canonical_;
};

}  // namespace

Result<std::unique_ptr<ModelFiles>> OpenHfModel(const io::ModelFileSet& files) {
  HFD_ASSIGN_OR_RETURN(const std::string config, ReadConfig(files, "config.json", true));
  HFD_ASSIGN_OR_RETURN(const std::string gen, ReadConfig(files, "generation_config.json", false));
  auto desc = DescFromConfig(config, gen);
  if (!desc.ok()) return desc.status().WithContext(files.Label("config.json"));
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<safetensors::Checkpoint> ckpt,
                       safetensors::Checkpoint::Open(files));
  return std::unique_ptr<ModelFiles>(new HfModelFiles(std::move(ckpt), std::move(desc).value()));
}

}  // namespace hfd::model::internal
