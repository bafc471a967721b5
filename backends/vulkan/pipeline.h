// A compute pipeline built from an embedded SPIR-V shader, with its push-descriptor set
// layout (every binding a storage buffer), push-constant range and specialization
// constants (constant_id 0, 1, ... in order).
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backends/vulkan/handle.h"
#include "hfd/status.h"

namespace hfd::vk {

class Device;

struct PipelineDesc {
  std::string shader;          // name of the embedded shader variant
  uint32_t bindings = 0;       // storage buffers at bindings 0..bindings-1
  uint32_t push_bytes = 0;     // size of the push-constant block
  std::vector<uint32_t> spec;  // specialization constants, constant_id = index
};

// Immutable once created; the Device must outlive it. Safe to record from any thread.
class Pipeline {
 public:
  static Result<std::unique_ptr<Pipeline>> Create(Device& device, const PipelineDesc& desc);

  VkPipeline get() const { return pipeline_.get(); }
  VkPipelineLayout layout() const { return layout_.get(); }
  const PipelineDesc& desc() const { return desc_; }

 private:
  PipelineDesc desc_;
  SetLayoutHandle set_layout_;
  PipelineLayoutHandle layout_;
  PipelineHandle pipeline_;
};

}  // namespace hfd::vk
