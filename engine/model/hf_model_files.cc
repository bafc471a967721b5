// ModelFiles over a Hugging Face directory: config.json for the description, safetensors
// for the weights, HF names mapped to canonical ones.
#include <algorithm>
#include <map>

#include <spdlog/spdlog.h>

#include "engine/io/read_small_file.h"
#include "engine/model/desc_from_config.h"
#include "engine/model/gpt_oss_experts.h"
#include "engine/model/model_files_impl.h"
#include "engine/model/sentence_transformers.h"
#include "engine/model/tensor_names.h"
#include "engine/quant/dequantize.h"
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

// A multimodal checkpoint (Gemma3ForConditionalGeneration) runs as its text model: says so
// once, with how many vision tensors it leaves unread.
void NoteSkippedVisionTensors(const safetensors::Checkpoint& ckpt, const std::string& label) {
  const std::vector<std::string> names = ckpt.names();
  const auto n = std::count_if(names.begin(), names.end(),
                               [](const std::string& name) { return IsVisionTensor(name); });
  if (n > 0) {
    spdlog::info(
        "{}: skipping {} vision tensors (vision_tower, multi_modal_projector); hfd runs "
        "the text model only",
        label, n);
  }
}

class HfModelFiles final : public ModelFiles {
 public:
  HfModelFiles(std::unique_ptr<safetensors::Checkpoint> ckpt, ModelDesc desc)
      : ckpt_(std::move(ckpt)), desc_(std::move(desc)) {
    for (const std::string& hf : ckpt_->names()) {
      if (auto canonical = CanonicalFromHf(hf, desc_.arch)) {
        by_canonical_[*canonical] = ckpt_->Find(hf);
      } else if (auto slice = ExpertSliceFromHf(hf)) {
        std::vector<const safetensors::HeaderEntry*>& experts = experts_[slice->stacked];
        if (experts.size() <= static_cast<size_t>(slice->expert)) {
          experts.resize(static_cast<size_t>(slice->expert) + 1, nullptr);
        }
        experts[slice->expert] = ckpt_->Find(hf);
      }
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
  Status CheckIntact() const override {
    HFD_RETURN_IF_ERROR(ckpt_->CheckIntact());
    return derived_ != nullptr ? derived_->CheckIntact() : Status::Ok();
  }

  // Gemma's HF norm weights hold w - 1 (its RMSNorm multiplies by 1 + w); keeps F32
  // copies holding w, as llama.cpp's converter writes them, so the forward pass is the
  // GGUF one. Four vectors of n_embd per layer (Gemma 3: and its q/k norms of head_dim).
  Status AddOneToNorms() {
    for (const auto& [name, entry] : by_canonical_) {
      if (!name.ends_with("norm.weight")) continue;
      HFD_ASSIGN_OR_RETURN(const WeightView w, Weight(name));
      const int64_t n = w.shape.empty() ? 0 : w.shape[0];
      if (w.shape.size() != 1) {
        return Corrupt("weight '" + entry->name + "' is not a vector; expected a norm weight");
      }
      std::vector<float> values(static_cast<size_t>(n));
      HFD_RETURN_IF_ERROR(DequantizeRow(w.type, w.data, values.data(), n));
      for (float& v : values) v += 1.0f;
      with_one_added_[name] = std::move(values);
    }
    return Status::Ok();
  }

  // gpt-oss's fused MXFP4 experts, repacked into GGUF's stacked tensors: into a file of
  // `store` keyed by `files`' shards (written once, mapped), or in memory without a store.
  Status RepackGptOss(const io::ModelFileSet& files, const DerivedStore* store) {
    HFD_ASSIGN_OR_RETURN(const std::vector<DerivedTensor> tensors,
                         GptOssExpertTensors(desc_, *ckpt_));
    if (store == nullptr) {
      spdlog::info(
          "{}: gpt-oss's experts repacked in memory (no folder for derived weights: the "
          "daemon writes them once to its models.derived_dir and maps them)",
          files.description());
      HFD_ASSIGN_OR_RETURN(repacked_, BuildInMemory(tensors));
      return Status::Ok();
    }
    DerivedKey key{"gpt-oss-experts", kGptOssExpertsLayout, {}};
    for (const std::string& name : ckpt_->file_names()) {
      HFD_ASSIGN_OR_RETURN(std::string source, SourceIdentity(files, name));
      key.sources.push_back(std::move(source));
    }
    auto derived = store->OpenOrBuild(key, tensors);
    if (!derived.ok()) return derived.status().WithContext("repacking gpt-oss's MXFP4 experts");
    derived_ = std::move(derived).value();
    return Status::Ok();
  }

  Result<WeightView> Weight(std::string_view name) const override {
    if (const WeightView* v = derived_ != nullptr ? derived_->Find(name) : nullptr) return *v;
    if (const auto own = repacked_.find(std::string(name)); own != repacked_.end()) {
      const OwnedWeight& w = own->second;
      return WeightView{w.type, w.shape, w.bytes.data(), w.bytes.size()};
    }
    if (const auto own = with_one_added_.find(std::string(name)); own != with_one_added_.end()) {
      const std::vector<float>& v = own->second;
      return WeightView{TensorType::kF32,
                        {static_cast<int64_t>(v.size())},
                        reinterpret_cast<const uint8_t*>(v.data()),
                        v.size() * sizeof(float)};
    }
    if (const auto stack = experts_.find(std::string(name)); stack != experts_.end()) {
      return StackedExperts(stack->first, stack->second);
    }
    const auto it = by_canonical_.find(std::string(name));
    if (it == by_canonical_.end()) {
      return NotFound("the model has no weight '" + std::string(name) + "'");
    }
    return View(*it->second);
  }

  bool HasWeight(std::string_view name) const override {
    return by_canonical_.count(std::string(name)) > 0 || experts_.count(std::string(name)) > 0 ||
           repacked_.count(std::string(name)) > 0 ||
           (derived_ != nullptr && derived_->Find(name) != nullptr);
  }

  std::vector<std::string> WeightNames() const override {
    std::vector<std::string> names;
    for (const auto& [name, entry] : by_canonical_) names.push_back(name);
    for (const auto& [name, experts] : experts_) names.push_back(name);
    for (const auto& [name, weight] : repacked_) names.push_back(name);
    if (derived_ != nullptr) {
      for (std::string& name : derived_->names()) names.push_back(std::move(name));
    }
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  Result<WeightView> View(const safetensors::HeaderEntry& e) const {
    if (!e.supported) {
      return Unsupported("weight '" + e.name + "' has dtype " + e.dtype +
                         "; hfd reads F32, F16 and BF16 safetensors");
    }
    const safetensors::Tensor t = ckpt_->Get(e);
    // safetensors shapes are row-major [out, in]; GGML order lists the row length first.
    return WeightView{e.type, std::vector<int64_t>(e.shape.rbegin(), e.shape.rend()), t.data,
                      t.nbytes};
  }

  // The per-expert tensors of `stacked` as one {cols, rows, experts} view whose parts stay
  // where they are mapped; every expert from 0 up must be there with one dtype and shape.
  Result<WeightView> StackedExperts(
      const std::string& stacked,
      const std::vector<const safetensors::HeaderEntry*>& experts) const {
    WeightView out{};
    for (size_t e = 0; e < experts.size(); ++e) {
      if (experts[e] == nullptr) {
        return Corrupt("the checkpoint has experts up to " + std::to_string(experts.size() - 1) +
                       " of " + stacked + " but lacks expert " + std::to_string(e) + " (" +
                       HfExpertName(stacked, static_cast<int64_t>(e), desc_.arch).value_or("") +
                       ")");
      }
      HFD_ASSIGN_OR_RETURN(const WeightView v, View(*experts[e]));
      if (e == 0) {
        out = WeightView{v.type, v.shape, v.data, 0};
        out.shape.push_back(static_cast<int64_t>(experts.size()));
      } else if (v.type != out.type || v.shape.size() != 2 || v.shape[0] != out.shape[0] ||
                 v.shape[1] != out.shape[1]) {
        return Corrupt("expert " + std::to_string(e) + " of " + stacked + " (" + experts[e]->name +
                       ") has shape " + ShapeString(v.shape) + " or type unlike expert 0's " +
                       ShapeString({out.shape[0], out.shape[1]}));
      }
      out.parts.push_back(v.data);
      out.nbytes += v.nbytes;
    }
    if (out.shape.size() != 3) return Corrupt("expert 0 of " + stacked + " is not a matrix");
    return out;
  }

  std::unique_ptr<safetensors::Checkpoint> ckpt_;
  ModelDesc desc_;
  std::map<std::string, const safetensors::HeaderEntry*> by_canonical_;
  // Stacked expert tensors by canonical name: the HF tensor of each expert (null: missing).
  std::map<std::string, std::vector<const safetensors::HeaderEntry*>> experts_;
  std::map<std::string, std::vector<float>> with_one_added_;  // AddOneToNorms
  std::map<std::string, OwnedWeight> repacked_;               // RepackGptOss without a store
  std::unique_ptr<DerivedWeights> derived_;                   // RepackGptOss with a store
};

}  // namespace

Result<std::unique_ptr<ModelFiles>> OpenHfModel(const io::ModelFileSet& files,
                                                const DerivedStore* derived) {
  HFD_ASSIGN_OR_RETURN(const std::string config, ReadConfig(files, "config.json", true));
  HFD_ASSIGN_OR_RETURN(const std::string gen, ReadConfig(files, "generation_config.json", false));
  auto desc = DescFromConfig(config, gen);
  if (!desc.ok()) return desc.status().WithContext(files.Label("config.json"));
  // Any architecture: a decoder with a Pooling module is an embedder (Qwen3-Embedding).
  HFD_ASSIGN_OR_RETURN(desc->pooling, PoolingFromSentenceTransformers(files));
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<safetensors::Checkpoint> ckpt,
                       safetensors::Checkpoint::Open(files));
  NoteSkippedVisionTensors(*ckpt, files.Label("config.json"));
  auto model = std::make_unique<HfModelFiles>(std::move(ckpt), std::move(desc).value());
  const Architecture arch = model->desc().arch;
  if (arch == Architecture::kGemma2 || arch == Architecture::kGemma3) {
    HFD_RETURN_IF_ERROR(model->AddOneToNorms());
  }
  if (arch == Architecture::kGptOss) HFD_RETURN_IF_ERROR(model->RepackGptOss(files, derived));
  return std::unique_ptr<ModelFiles>(std::move(model));
}

}  // namespace hfd::model::internal
