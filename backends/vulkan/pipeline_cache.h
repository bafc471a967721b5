// Pipelines created on first use and kept for the device's lifetime.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "backends/vulkan/pipeline.h"

namespace hfd::vk {

// Owns every pipeline it hands out; they live as long as the cache. Not thread-safe.
class PipelineCache {
 public:
  explicit PipelineCache(Device& device) : device_(device) {}

  // The pipeline for `desc` (same shader and specialization = same pipeline).
  Result<const Pipeline*> Get(const PipelineDesc& desc);

 private:
  Device& device_;
  std::map<std::string, std::unique_ptr<Pipeline>> pipelines_;
};

}  // namespace hfd::vk
