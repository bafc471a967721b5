// Discovering Vulkan devices and choosing one: discrete GPU > integrated GPU > (only when
// asked for) a CPU implementation such as lavapipe. Every refusal carries a reason that the
// daemon's `status` and log can show.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <string>
#include <vector>

#include "hfd/status.h"

namespace hfd::vk {

class Instance;

enum class DeviceKind { kDiscrete, kIntegrated, kVirtual, kCpu, kOther };
std::string_view DeviceKindName(DeviceKind kind);

// What hfd needs to know about one physical device.
struct DeviceInfo {
  uint32_t index = 0;  // position in vkEnumeratePhysicalDevices
  std::string name;
  DeviceKind kind = DeviceKind::kOther;
  uint32_t api_version = 0;
  std::string driver;               // driver name and version, when the driver reports it
  uint64_t device_local_bytes = 0;  // the largest device-local heap
  uint64_t max_allocation_bytes = 0;
  uint64_t max_storage_buffer_range = 0;
  uint32_t subgroup_size = 0;
  bool usable = false;          // has every feature the shaders need
  std::string unusable_reason;  // why not, when !usable
};

// The result of looking for Vulkan: the devices found and, when none can be used,
// why ("no Vulkan device: ..."). Cheap enough to call for a status request.
struct VulkanProbe {
  std::vector<DeviceInfo> devices;
  std::string reason;  // empty when at least one usable device exists
};

// Creates a temporary instance (no validation) and enumerates devices; `reason` says why
// automatic selection (GPUs only) finds nothing. Never fails:
// a missing loader or ICD becomes `reason`. Thread-safe.
VulkanProbe ProbeVulkan();

// Lists the devices of an existing instance.
Result<std::vector<DeviceInfo>> EnumerateDevices(const Instance& instance);

struct SelectOptions {
  // "" picks automatically; a number picks that index; other text picks the first device
  // whose name contains it (case-insensitive), which may be a CPU device.
  std::string device;
  // Whether automatic selection may fall back to a CPU implementation (lavapipe).
  bool allow_cpu_device = false;
};

// Chooses a device, or explains why none fits ("no Vulkan device: ...", kUnavailable).
Result<DeviceInfo> SelectDevice(const std::vector<DeviceInfo>& devices,
                                const SelectOptions& options);

// One line for status and logs: "NVIDIA H100 (discrete, 80.0 GiB, NVIDIA 580.1)".
std::string DescribeDevice(const DeviceInfo& info);

}  // namespace hfd::vk
