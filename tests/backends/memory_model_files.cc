#include "tests/backends/memory_model_files.h"

namespace hfd::testing {

Result<model::WeightView> MemoryModelFiles::Weight(std::string_view canonical_name) const {
  auto it = tensors_.find(canonical_name);
  if (it == tensors_.end()) {
    return NotFound("the test model has no tensor " + std::string(canonical_name));
  }
  const MemoryTensor& t = it->second;
  return model::WeightView{t.type, t.shape, t.bytes.data(), t.bytes.size()};
}

bool MemoryModelFiles::HasWeight(std::string_view canonical_name) const {
  return tensors_.find(canonical_name) != tensors_.end();
}

std::vector<std::string> MemoryModelFiles::WeightNames() const {
  std::vector<std::string> names;
  for (const auto& [name, tensor] : tensors_) names.push_back(name);
  return names;
}

}  // namespace hfd::testing
