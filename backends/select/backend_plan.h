// The selection policy of backend_select.h as a pure function over what Vulkan reported,
// so it can be tested with any mix of devices and shared by `SelectBackend` (which then
// creates the backend) and the daemon's `status` (which only reports the choice).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backends/select/backend_select.h"
#include "hfd/status.h"

namespace hfd::backends {

// One Vulkan physical device, as the policy and `status` need it.
struct VulkanDeviceSummary {
  uint32_t index = 0;  // position in vkEnumeratePhysicalDevices
  std::string name;
  std::string type;           // "discrete", "integrated", "virtual", "cpu", "other"
  std::string driver;         // driver name and version
  uint64_t memory_bytes = 0;  // the largest device-local heap
  uint64_t max_allocation_bytes = 0;
  bool usable = false;          // has every feature hfd's shaders need
  std::string unusable_reason;  // why not, when !usable
};

// What looking for Vulkan found.
struct VulkanSurvey {
  // Why Vulkan could not even be asked for devices (no driver/ICD, instance creation
  // failed, built without Vulkan); "" when enumeration worked.
  std::string error;
  std::vector<VulkanDeviceSummary> devices;
};

// Creates and destroys a temporary Vulkan instance to list the devices (tens of
// milliseconds: cache the result where it is asked for often). Never fails; thread-safe.
VulkanSurvey SurveyVulkan();

// The decision for one request.
struct BackendPlan {
  BackendKind kind = BackendKind::kCpu;  // kVulkan or kCpu, never kAuto
  uint32_t device_index = 0;             // the Vulkan device when kind == kVulkan
  std::string reason;                    // as SelectedBackend::reason
};

// Applies the policy: `auto` takes the best usable GPU (discrete, integrated, virtual,
// other) and never a CPU-type device, else the CPU with the reason; `vulkan` takes the
// named device or the best usable one, lavapipe included, else Unavailable saying what is
// missing and what to install; `cpu` takes the CPU.
Result<BackendPlan> PlanBackend(const BackendRequest& request, const VulkanSurvey& survey);

}  // namespace hfd::backends
