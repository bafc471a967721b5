// ModelFiles over one GGUF file: tensors keep their stored (quantized) types.
#include <algorithm>

#include "engine/model/desc_from_gguf.h"
#include "engine/model/fused_weights.h"
#include "engine/model/model_files_impl.h"

namespace hfd::model::internal {
namespace {

class GgufModelFiles final : public ModelFiles {
 public:
  GgufModelFiles(std::unique_ptr<gguf::GgufFile> file, ModelDesc desc)
      : file_(std::move(file)), desc_(std::move(desc)) {}

  ModelFormat format() const override { return ModelFormat::kGguf; }
  const ModelDesc& desc() const override { return desc_; }
  const gguf::GgufFile* gguf() const override { return file_.get(); }
  Status CheckIntact() const override { return file_->CheckIntact(); }

  Result<WeightView> Weight(std::string_view name) const override {
    const gguf::TensorInfo* t = file_->FindTensor(name);
    if (t == nullptr) return FusedWeight(name);
    return WeightView{t->type, t->shape, t->data, t->nbytes};
  }

  bool HasWeight(std::string_view name) const override { return Weight(name).ok(); }

  std::vector<std::string> WeightNames() const override {
    std::vector<std::string> names;
    for (const gguf::TensorInfo& t : file_->tensors()) names.push_back(t.name);
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  // A projection stored inside a fused tensor (fused_weights.h).
  Result<WeightView> FusedWeight(std::string_view name) const {
    const std::optional<FusedPart> part = FusedPartOf(name, desc_);
    const gguf::TensorInfo* t = part ? file_->FindTensor(part->fused) : nullptr;
    if (t == nullptr) return NotFound("the model has no weight '" + std::string(name) + "'");
    return SliceRows(WeightView{t->type, t->shape, t->data, t->nbytes}, *part);
  }

  std::unique_ptr<gguf::GgufFile> file_;
  ModelDesc desc_;
};

}  // namespace

Result<std::unique_ptr<ModelFiles>> OpenGgufModel(const io::ModelFileSet& files,
                                                  std::string_view name) {
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<gguf::GgufFile> file, gguf::GgufFile::Open(files, name));
  auto desc = DescFromGguf(*file);
  if (!desc.ok()) return desc.status().WithContext(files.Label(name));
  return std::unique_ptr<ModelFiles>(new GgufModelFiles(std::move(file), std::move(desc).value()));
}

}  // namespace hfd::model::internal
