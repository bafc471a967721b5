// Writes a safetensors file of F32 tensors, for tests that make Hugging Face checkpoints.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace hfd::testing {

struct F32Tensor {
  std::vector<int64_t> shape;  // row-major, as safetensors lists it: [out, in]
  std::vector<float> data;
};

// `file`: the u64 header length, the JSON header, then the raw little-endian tensors.
void WriteF32Safetensors(const std::filesystem::path& file,
                         const std::map<std::string, F32Tensor>& tensors);

}  // namespace hfd::testing
