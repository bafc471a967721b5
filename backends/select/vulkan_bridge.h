// The only part of backends/select that talks to Vulkan: vulkan_bridge.cc when hfd is
// built with Vulkan, vulkan_bridge_disabled.cc (which says so) when not.
#pragma once

#include <cstdint>
#include <memory>

#include "engine/runtime/backend.h"
#include "hfd/status.h"

namespace hfd::backends {

// A Vulkan backend on device `index` of a fresh instance (SurveyVulkan's numbering), using
// at most `memory_bytes` of its memory (0: VulkanBackendOptions' default).
Result<std::unique_ptr<runtime::Backend>> CreateVulkanOnDevice(uint32_t index,
                                                               uint64_t memory_bytes = 0);

}  // namespace hfd::backends
