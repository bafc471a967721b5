// RAII ownership of Vulkan objects that belong to a VkDevice (buffers, memory, pipelines,
// layouts, pools, fences, ...). Move-only; destroys the object with its destroy function.
#pragma once

#include <vulkan/vulkan.h>

#include <utility>

namespace hfd::vk {

// Owns one `T` created on `device`; `Destroy` is vkDestroyX / vkFreeMemory. The device
// must outlive the handle. Not thread-safe (like the Vulkan object itself).
template <typename T, void (*Destroy)(VkDevice, T, const VkAllocationCallbacks*)>
class DeviceHandle {
 public:
  DeviceHandle() = default;
  DeviceHandle(VkDevice device, T handle) : device_(device), handle_(handle) {}
  ~DeviceHandle() { Reset(); }
  DeviceHandle(DeviceHandle&& o) noexcept
      : device_(o.device_), handle_(std::exchange(o.handle_, VK_NULL_HANDLE)) {}
  DeviceHandle& operator=(DeviceHandle&& o) noexcept {
    if (this != &o) {
      Reset();
      device_ = o.device_;
      handle_ = std::exchange(o.handle_, VK_NULL_HANDLE);
    }
    return *this;
  }
  DeviceHandle(const DeviceHandle&) = delete;
  DeviceHandle& operator=(const DeviceHandle&) = delete;

  T get() const { return handle_; }
  explicit operator bool() const { return handle_ != VK_NULL_HANDLE; }

  void Reset() {
    if (handle_ != VK_NULL_HANDLE) Destroy(device_, handle_, nullptr);
    handle_ = VK_NULL_HANDLE;
  }

 private:
  VkDevice device_ = VK_NULL_HANDLE;
  T handle_ = VK_NULL_HANDLE;
};

using BufferHandle = DeviceHandle<VkBuffer, vkDestroyBuffer>;
using MemoryHandle = DeviceHandle<VkDeviceMemory, vkFreeMemory>;
using ShaderModuleHandle = DeviceHandle<VkShaderModule, vkDestroyShaderModule>;
using PipelineHandle = DeviceHandle<VkPipeline, vkDestroyPipeline>;
using PipelineLayoutHandle = DeviceHandle<VkPipelineLayout, vkDestroyPipelineLayout>;
using SetLayoutHandle = DeviceHandle<VkDescriptorSetLayout, vkDestroyDescriptorSetLayout>;
using CommandPoolHandle = DeviceHandle<VkCommandPool, vkDestroyCommandPool>;
using FenceHandle = DeviceHandle<VkFence, vkDestroyFence>;
using QueryPoolHandle = DeviceHandle<VkQueryPool, vkDestroyQueryPool>;

}  // namespace hfd::vk
