// A model's weights in device memory: matrices (2-D) kept in their stored block layout and
// split across buffers as needed, vectors (norm weights, biases) converted to float32, each
// also as a one-row float32 matrix for the matmuls that read a vector (Qwen2-MoE's
// shared-expert gate).
#pragma once

#include <map>
#include <string>
#include <variant>

#include "backends/vulkan/tensor_buffer.h"

namespace hfd::model {
class ModelFiles;
}

namespace hfd::vk {

// Move-only; the Device must outlive it. Read-only after Load: safe to share.
class VulkanWeights {
 public:
  // Device bytes every weight of `files` will take; Unsupported when a matrix has a type
  // without shaders, TooLarge when one row exceeds `max_buffer_bytes`.
  static Result<uint64_t> PlanBytes(const model::ModelFiles& files, uint64_t max_buffer_bytes);

  // Uploads every weight. OutOfMemory (naming the sizes) when the plan exceeds what the
  // device's memory cap leaves beside other models (Device::memory_left), before anything
  // is allocated.
  static Result<VulkanWeights> Load(Device& device, Transfer& transfer,
                                    const model::ModelFiles& files);

  // The weight as a matrix (a vector as one row) / a float vector; null when absent, or
  // for Vector, a matrix.
  const DeviceTensor* Matrix(const std::string& name) const;
  const Buffer* Vector(const std::string& name) const;
  uint64_t bytes() const { return bytes_; }

 private:
  std::map<std::string, std::variant<DeviceTensor, Buffer>> weights_;
  std::map<std::string, DeviceTensor> vector_rows_;  // the vectors as one-row matrices
  uint64_t bytes_ = 0;
};

}  // namespace hfd::vk
