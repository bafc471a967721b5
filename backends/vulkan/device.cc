#include "backends/vulkan/device.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <vector>

#include "backends/vulkan/instance.h"
#include "backends/vulkan/vk_status.h"

namespace hfd::vk {
namespace {

Result<uint32_t> ComputeQueueFamily(VkPhysicalDevice pd) {
  uint32_t n = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, nullptr);
  std::vector<VkQueueFamilyProperties> families(n);
  vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, families.data());
  // Prefer a compute-only family (async compute) when offered; else any with compute.
  int any = -1;
  for (uint32_t i = 0; i < n; ++i) {
    if (!(families[i].queueFlags & VK_QUEUE_COMPUTE_BIT)) continue;
    if (!(families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT)) return i;
    if (any < 0) any = static_cast<int>(i);
  }
  if (any < 0) return Unsupported("the device has no compute queue");
  return static_cast<uint32_t>(any);
}

// The physical device's UUID in hex: the same GPU whichever instance enumerated it.
std::string DeviceUuid(VkPhysicalDevice pd) {
  VkPhysicalDeviceIDProperties id{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES};
  VkPhysicalDeviceProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  props.pNext = &id;
  vkGetPhysicalDeviceProperties2(pd, &props);
  return fmt::format("{:02x}", fmt::join(id.deviceUUID, ""));
}

}  // namespace

Result<std::unique_ptr<Device>> Device::Create(const Instance& instance, const DeviceInfo& info) {
  if (!info.usable) return Unsupported("device '" + info.name + "': " + info.unusable_reason);
  uint32_t n = 0;
  HFD_VK_RETURN_IF_ERROR(vkEnumeratePhysicalDevices(instance.get(), &n, nullptr),
                         "vkEnumeratePhysicalDevices");
  std::vector<VkPhysicalDevice> pds(n);
  HFD_VK_RETURN_IF_ERROR(vkEnumeratePhysicalDevices(instance.get(), &n, pds.data()),
                         "vkEnumeratePhysicalDevices");
  if (info.index >= n) return NotFound("Vulkan device index " + std::to_string(info.index));

  std::unique_ptr<Device> self(new Device());
  self->info_ = info;
  self->physical_ = pds[info.index];
  VkPhysicalDeviceProperties props;
  vkGetPhysicalDeviceProperties(self->physical_, &props);
  self->limits_ = props.limits;
  vkGetPhysicalDeviceMemoryProperties(self->physical_, &self->memory_);
  self->ledger_ = MemoryLedger::For(DeviceUuid(self->physical_));
  self->memory_cap_ = info.device_local_bytes / 10 * 9;
  HFD_ASSIGN_OR_RETURN(self->queue_family_, ComputeQueueFamily(self->physical_));

  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queue_info{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queue_info.queueFamilyIndex = self->queue_family_;
  queue_info.queueCount = 1;
  queue_info.pQueuePriorities = &priority;

  VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  VkPhysicalDeviceVulkan11Features f11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
  f11.pNext = &f12;
  VkPhysicalDeviceFeatures2 have{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  have.pNext = &f11;
  vkGetPhysicalDeviceFeatures2(self->physical_, &have);

  self->coopmat_ = QueryCoopMat(instance.get(), self->physical_, info.subgroup_size);

  // Enable only what the shaders use.
  VkPhysicalDeviceCooperativeMatrixFeaturesNV ecoop{
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV};
  ecoop.cooperativeMatrix = VK_TRUE;
  VkPhysicalDeviceVulkan12Features e12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  e12.storageBuffer8BitAccess = f12.storageBuffer8BitAccess;
  e12.shaderInt8 = f12.shaderInt8;
  if (self->coopmat_.available) {
    e12.shaderFloat16 = VK_TRUE;
    e12.pNext = &ecoop;
  }
  VkPhysicalDeviceVulkan11Features e11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
  e11.storageBuffer16BitAccess = VK_TRUE;
  e11.pNext = &e12;
  VkPhysicalDeviceFeatures2 enable{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  enable.features.shaderInt16 = VK_TRUE;
  enable.pNext = &e11;

  std::vector<const char*> extensions = {VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME};
  if (self->coopmat_.available) extensions.push_back(VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME);
  VkDeviceCreateInfo create{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  create.pNext = &enable;
  create.queueCreateInfoCount = 1;
  create.pQueueCreateInfos = &queue_info;
  create.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  create.ppEnabledExtensionNames = extensions.data();
  HFD_VK_RETURN_IF_ERROR(vkCreateDevice(self->physical_, &create, nullptr, &self->device_),
                         "vkCreateDevice");
  vkGetDeviceQueue(self->device_, self->queue_family_, 0, &self->queue_);
  self->push_descriptor_ = reinterpret_cast<PFN_vkCmdPushDescriptorSetKHR>(
      vkGetDeviceProcAddr(self->device_, "vkCmdPushDescriptorSetKHR"));
  if (self->push_descriptor_ == nullptr) return Unsupported("vkCmdPushDescriptorSetKHR missing");

  VkCommandPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pool_info.queueFamilyIndex = self->queue_family_;
  VkCommandPool pool;
  HFD_VK_RETURN_IF_ERROR(vkCreateCommandPool(self->device_, &pool_info, nullptr, &pool),
                         "vkCreateCommandPool");
  self->pool_ = CommandPoolHandle(self->device_, pool);
  VkFenceCreateInfo fence_info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  VkFence fence;
  HFD_VK_RETURN_IF_ERROR(vkCreateFence(self->device_, &fence_info, nullptr, &fence),
                         "vkCreateFence");
  self->fence_ = FenceHandle(self->device_, fence);
  return self;
}

Device::~Device() {
  if (device_ == VK_NULL_HANDLE) return;
  vkDeviceWaitIdle(device_);
  fence_.Reset();
  pool_.Reset();
  vkDestroyDevice(device_, nullptr);
}

uint64_t Device::max_buffer_bytes() const {
  return std::min<uint64_t>(info_.max_allocation_bytes, info_.max_storage_buffer_range);
}

uint64_t Device::memory_left() const {
  const uint64_t held = memory_held();
  return memory_cap_ > held ? memory_cap_ - held : 0;
}

Result<LedgerHold> Device::ReserveMemory(uint64_t bytes) {
  HFD_RETURN_IF_ERROR(ledger_->Reserve(bytes, memory_cap_));
  return LedgerHold(ledger_, bytes);
}

Result<uint32_t> Device::FindMemoryType(uint32_t type_bits, VkMemoryPropertyFlags required,
                                        VkMemoryPropertyFlags preferred) const {
  int fallback = -1;
  for (uint32_t i = 0; i < memory_.memoryTypeCount; ++i) {
    if (!(type_bits & (1u << i))) continue;
    const VkMemoryPropertyFlags flags = memory_.memoryTypes[i].propertyFlags;
    if ((flags & required) != required) continue;
    if ((flags & preferred) == preferred) return i;
    if (fallback < 0) fallback = static_cast<int>(i);
  }
  if (fallback < 0) return Unsupported("no Vulkan memory type with the needed properties");
  return static_cast<uint32_t>(fallback);
}

Status Device::SubmitAndWait(VkCommandBuffer cmd) {
  std::lock_guard<std::mutex> lock(mu_);
  VkFence fence = fence_.get();
  HFD_VK_RETURN_IF_ERROR(vkResetFences(device_, 1, &fence), "vkResetFences");
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &cmd;
  HFD_VK_RETURN_IF_ERROR(vkQueueSubmit(queue_, 1, &submit, fence), "vkQueueSubmit");
  // Bounded, so a hung device becomes an error instead of a hung daemon.
  constexpr uint64_t kTimeoutNs = 600ull * 1000 * 1000 * 1000;
  const VkResult r = vkWaitForFences(device_, 1, &fence, VK_TRUE, kTimeoutNs);
  if (r == VK_TIMEOUT) {
    return DeadlineExceeded("the Vulkan device did not finish a submission within 600 s");
  }
  return VkStatus(r, "vkWaitForFences");
}

Result<VkCommandBuffer> Device::AllocateCommandBuffer() {
  std::lock_guard<std::mutex> lock(mu_);
  VkCommandBufferAllocateInfo info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  info.commandPool = pool_.get();
  info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  info.commandBufferCount = 1;
  VkCommandBuffer cmd;
  HFD_VK_RETURN_IF_ERROR(vkAllocateCommandBuffers(device_, &info, &cmd),
                         "vkAllocateCommandBuffers");
  return cmd;
}

void Device::FreeCommandBuffer(VkCommandBuffer cmd) {
  std::lock_guard<std::mutex> lock(mu_);
  vkFreeCommandBuffers(device_, pool_.get(), 1, &cmd);
}

}  // namespace hfd::vk
