// Used when hfd is configured with -DHFD_WITH_VULKAN=OFF.
#include "backends/select/backend_plan.h"
#include "backends/select/vulkan_bridge.h"

namespace hfd::backends {

namespace {
constexpr const char* kNotBuilt = "this hfd was built without Vulkan (-DHFD_WITH_VULKAN=OFF)";
}  // namespace

VulkanSurvey SurveyVulkan() { return VulkanSurvey{.error = kNotBuilt, .devices = {}}; }

Result<std::unique_ptr<runtime::Backend>> CreateVulkanOnDevice(uint32_t, uint64_t) {
  return Unavailable(kNotBuilt);
}

}  // namespace hfd::backends
