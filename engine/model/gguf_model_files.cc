// ModelFiles over one GGUF file: tensors keep their stored (quantized) types.
#include <algorithm>

#include "engine/model/desc_from_gguf.h"
#include "engine/model/model_files_impl.h"

namespace hfd::model::internal {
namespace {

class GgufModelFiles final : public ModelFiles {
 public:
  GgufModelFiles(std::filesystem::path path, std::unique_ptr<gguf::GgufFile> file, ModelDesc desc)
      : path_(std::move(path)), file_(std::move(file)), desc_(std::move(desc)) {}

  ModelFormat format() const override { return ModelFormat::kGguf; }
  const std::filesystem::path& path() const override { return path_; }
  const ModelDesc& desc() const override { return desc_; }
  const gguf::GgufFile* gguf() const override { return file_.get(); }

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
  std::filesystem::path path_;
  std::unique_ptr<gguf::GgufFile> file_;
  ModelDesc desc_;
};

}  // namespace

Result<std::unique_ptr<ModelFiles>> OpenGgufModel(const std::filesystem::path& path) {
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<gguf::GgufFile> file, gguf::GgufFile::Open(path));
  auto desc = DescFromGguf(*file);
  if (!desc.ok()) return desc.status().WithContext(path.string());
  return std::unique_ptr<ModelFiles>(
      new GgufModelFiles(path, std::move(file), std::move(desc).value()));
}

}  // namespace hfd::model::internal
