#include "backends/select/vulkan_bridge.h"

#include <string>

#include "backends/select/backend_plan.h"
#include "backends/vulkan/instance.h"
#include "backends/vulkan/probe.h"
#include "backends/vulkan/vulkan_backend.h"

namespace hfd::backends {

VulkanSurvey SurveyVulkan() {
  VulkanSurvey survey;
  auto instance = vk::Instance::Create(vk::InstanceOptions{});
  if (!instance.ok()) {
    survey.error = instance.status().message();
    return survey;
  }
  auto devices = vk::EnumerateDevices(**instance);
  if (!devices.ok()) {
    survey.error = devices.status().message();
    return survey;
  }
  for (const vk::DeviceInfo& d : *devices) {
    survey.devices.push_back(VulkanDeviceSummary{
        .index = d.index,
        .name = d.name,
        .type = std::string(vk::DeviceKindName(d.kind)),
        .driver = d.driver,
        .memory_bytes = d.device_local_bytes,
        .max_allocation_bytes = d.max_allocation_bytes,
        .usable = d.usable,
        .unusable_reason = d.unusable_reason,
    });
  }
  return survey;
}

Result<std::unique_ptr<runtime::Backend>> CreateVulkanOnDevice(uint32_t index,
                                                               uint64_t memory_bytes) {
  return vk::CreateVulkanBackend(vk::VulkanBackendOptions{.device = std::to_string(index),
                                                          .memory_budget_bytes = memory_bytes});
}

}  // namespace hfd::backends
