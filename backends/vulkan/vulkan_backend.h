// The Vulkan implementation of runtime::Backend (engine/runtime/backend.h).
//
// Choosing between backends (the daemon's --backend auto|vulkan|cpu) is
// backends/select/backend_select.h's job; it calls this with the device it picked.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/runtime/backend.h"

namespace hfd::vk {

struct VulkanBackendOptions {
  // "" chooses automatically (discrete > integrated GPU); an index or a name substring
  // picks a device, which may then be a CPU implementation such as lavapipe.
  std::string device;
  bool allow_cpu_device = false;  // let automatic choice fall back to lavapipe
  bool validation = false;        // Khronos validation layer (also HFD_VK_VALIDATION=1)
  // Device-local memory hfd may hold on the device, every model on it together (the
  // weights, then what device_memory_left() tells the KV caches); 0: 90% of the
  // device-local heap.
  uint64_t memory_budget_bytes = 0;
  // Merge neighbouring ops into one kernel (fusion.h); false records one dispatch per op,
  // for comparisons (vulkan_bench --no-fuse).
  bool fuse_ops = true;
};

// A backend on the chosen device, or an error that says why none can be used (no
// loader/driver, no suitable device, missing features). Never crashes for lack of Vulkan.
Result<std::unique_ptr<runtime::Backend>> CreateVulkanBackend(const VulkanBackendOptions& options);

}  // namespace hfd::vk
