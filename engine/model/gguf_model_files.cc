// ModelFiles over one GGUF file: tensors keep their stored (quantized) types.
#include <algorithm>

#include "engine/model/desc_from_gguf.h"
#include "engine/model/model_files_impl.h"

namespace hfd::model::internal {
namespace {

class GgufModelFiles final : public ModelFiles {
 public:
  GgufModelFiles(std::unique_ptr<gguf::GgufFile> file, ModelDesc desc, DerivedOrigin origin)
      : file_(std::move(file)), desc_(std::move(desc)), origin_(std::move(origin)) {}

  ModelFormat format() const override { return ModelFormat::kGguf; }
  const ModelDesc& desc() const override { return desc_; }
  const gguf::GgufFile* gguf() const override { return file_.get(); }
  Status CheckIntact() const override { return file_->CheckIntact(); }
  Result<std::unique_ptr<DerivedViews>> Derive(DerivedKey key,
                                               const std::vector<DerivedTensor>& tensors,
                                               std::string_view what) const override {
    return origin_.Derive(std::move(key), tensors, what);
  }

  Result<WeightView> Weight(std::string_view name) const override {
    const gguf::TensorInfo* t = file_->FindTensor(name);
    if (t == nullptr) return NotFound("the model has no weight '" + std::string(name) + "'");
    return WeightView{t->type, t->shape, t->data, t->nbytes};
  }

  bool HasWeight(std::string_view name) const override {
    return file_->FindTensor(name) != nullptr;
  }

  std::vector<std::string> WeightNames() const override {
    std::vector<std::string> names;
    for (const gguf::TensorInfo& t : file_->tensors()) names.push_back(t.name);
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::unique_ptr<gguf::GgufFile> file_;
  ModelDesc desc_;
  DerivedOrigin origin_;
};

}  // namespace

Result<std::unique_ptr<ModelFiles>> OpenGgufModel(const io::ModelFileSet& files,
                                                  std::string_view name,
                                                  const DerivedStore* derived) {
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<gguf::GgufFile> file, gguf::GgufFile::Open(files, name));
  auto desc = DescFromGguf(*file);
  if (!desc.ok()) return desc.status().WithContext(files.Label(name));
  HFD_ASSIGN_OR_RETURN(DerivedOrigin origin,
                       DerivedOrigin::Of(files, {std::string(name)}, derived));
  return std::unique_ptr<ModelFiles>(
      new GgufModelFiles(std::move(file), std::move(desc).value(), std::move(origin)));
}

}  // namespace hfd::model::internal
