// Weights held in memory, served to backends as a model's files (ModelFiles), so a test
// can run graphs over tensors it made without writing a GGUF file. The description is
// empty: backends read only the weights.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/model/model_files.h"

namespace hfd::testing {

struct MemoryTensor {
  TensorType type{};
  std::vector<int64_t> shape;  // GGML order: shape[0] = row length
  std::vector<uint8_t> bytes;  // in the type's GGML layout
};

// Immutable once built; thread-safe to read. Views point into the tensors held here.
class MemoryModelFiles final : public model::ModelFiles {
 public:
  using Tensors = std::map<std::string, MemoryTensor, std::less<>>;  // by canonical name

  explicit MemoryModelFiles(Tensors tensors) : tensors_(std::move(tensors)) {}

  model::ModelFormat format() const override { return model::ModelFormat::kGguf; }
  const model::ModelDesc& desc() const override { return desc_; }
  Result<model::WeightView> Weight(std::string_view canonical_name) const override;
  bool HasWeight(std::string_view canonical_name) const override;
  std::vector<std::string> WeightNames() const override;
  const gguf::GgufFile* gguf() const override { return nullptr; }
  Status CheckIntact() const override { return Status::Ok(); }
  // In memory: a test model has no derived folder.
  Result<std::unique_ptr<model::DerivedViews>> Derive(
      model::DerivedKey key, const std::vector<model::DerivedTensor>& tensors,
      std::string_view what) const override {
    return model::DeriveWeights(nullptr, key, tensors, what);
  }

 private:
  Tensors tensors_;
  model::ModelDesc desc_;
};

}  // namespace hfd::testing
