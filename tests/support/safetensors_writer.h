// Writes safetensors files, for tests that make Hugging Face checkpoints.
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

// A tensor of any dtype ("U8", "BF16", ...) as its little-endian bytes.
struct RawTensor {
  std::string dtype;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};

// `file`: the u64 header length, the JSON header, then the raw little-endian tensors.
void WriteSafetensors(const std::filesystem::path& file,
                      const std::map<std::string, RawTensor>& tensors);

// The same for F32 tensors only.
void WriteF32Safetensors(const std::filesystem::path& file,
                         const std::map<std::string, F32Tensor>& tensors);

}  // namespace hfd::testing
