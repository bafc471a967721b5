// A logical Vulkan device with one compute queue, created from a chosen DeviceInfo.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <mutex>

#include "backends/vulkan/coopmat.h"
#include "backends/vulkan/handle.h"
#include "backends/vulkan/memory_ledger.h"
#include "backends/vulkan/probe.h"
#include "hfd/status.h"

namespace hfd::vk {

class Instance;

// Owns the VkDevice. The Instance must outlive it; every object created on it (buffers,
// pipelines, ...) must be destroyed before it. Submissions are serialised by an internal
// mutex, so one Device may be shared by several threads.
class Device {
 public:
  static Result<std::unique_ptr<Device>> Create(const Instance& instance, const DeviceInfo& info);
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  VkDevice get() const { return device_; }
  VkPhysicalDevice physical() const { return physical_; }
  const DeviceInfo& info() const { return info_; }
  const VkPhysicalDeviceLimits& limits() const { return limits_; }
  VkQueue queue() const { return queue_; }
  uint32_t queue_family() const { return queue_family_; }
  PFN_vkCmdPushDescriptorSetKHR push_descriptor_fn() const { return push_descriptor_; }
  // Whether the device can run cooperative-matrix kernels (enabled at creation if so).
  const CoopMatSupport& coopmat() const { return coopmat_; }
  // Largest single buffer the shaders may bind (min of allocation and storage limits).
  uint64_t max_buffer_bytes() const;

  // Device-local memory hfd may hold on this GPU, all models together (MemoryLedger): set
  // by the backend from the daemon's cap; 90% of the device-local heap until then.
  uint64_t memory_cap() const { return memory_cap_; }
  void set_memory_cap(uint64_t bytes) { memory_cap_ = bytes; }
  // What every Device of this process on this GPU holds now, and what the cap leaves.
  uint64_t memory_held() const { return ledger_->held(); }
  uint64_t memory_left() const;
  // Counts `bytes` of device-local memory against the cap until the hold is destroyed.
  Result<LedgerHold> ReserveMemory(uint64_t bytes);

  // A memory type index with all `required` flags among `type_bits`, preferring one
  // that also has `preferred`; error when none.
  Result<uint32_t> FindMemoryType(uint32_t type_bits, VkMemoryPropertyFlags required,
                                  VkMemoryPropertyFlags preferred) const;

  // Submits one command buffer and waits for it (fence). Thread-safe.
  Status SubmitAndWait(VkCommandBuffer cmd);

  // A primary command buffer from the device's pool; freed with FreeCommandBuffer.
  Result<VkCommandBuffer> AllocateCommandBuffer();
  void FreeCommandBuffer(VkCommandBuffer cmd);

 private:
  Device() = default;

  DeviceInfo info_;
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  uint32_t queue_family_ = 0;
  VkPhysicalDeviceLimits limits_{};
  VkPhysicalDeviceMemoryProperties memory_{};
  PFN_vkCmdPushDescriptorSetKHR push_descriptor_ = nullptr;
  CoopMatSupport coopmat_;
  std::shared_ptr<MemoryLedger> ledger_;
  uint64_t memory_cap_ = 0;
  std::mutex mu_;  // guards the queue, the pool and the fence
  CommandPoolHandle pool_;
  FenceHandle fence_;
};

}  // namespace hfd::vk
