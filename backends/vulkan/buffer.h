// Storage buffers and the transfers that fill them: device-local buffers written through
// a host-visible staging buffer in bounded chunks, and host-visible buffers for params
// and read-back.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>

#include "backends/vulkan/handle.h"
#include "backends/vulkan/memory_ledger.h"
#include "hfd/status.h"

namespace hfd::vk {

class Device;

enum class MemoryUse {
  kDeviceLocal,  // weights, activations, KV cache: fastest for shaders, not mappable
  kHostVisible,  // small per-token parameters and staging/read-back: mapped persistently
};

// One VkBuffer with its own memory. Never larger than Device::max_buffer_bytes().
// Move-only; the Device must outlive it. Not thread-safe.
class Buffer {
 public:
  static Result<Buffer> Create(Device& device, uint64_t bytes, MemoryUse use);
  Buffer() = default;
  Buffer(Buffer&&) noexcept = default;
  Buffer& operator=(Buffer&&) noexcept = default;

  VkBuffer get() const { return buffer_.get(); }
  uint64_t size() const { return size_; }
  // Host pointer for kHostVisible buffers (coherent), else nullptr.
  void* mapped() const { return mapped_; }

 private:
  VkDevice device_ = VK_NULL_HANDLE;
  LedgerHold hold_;      // device-local bytes counted against the GPU's cap
  MemoryHandle memory_;  // declared first: destroyed after the buffer
  BufferHandle buffer_;
  uint64_t size_ = 0;
  void* mapped_ = nullptr;
};

// Copies between host memory and device-local buffers through one reusable staging buffer
// of `chunk_bytes`, so that uploading a large model never needs a staging copy of it.
// Not thread-safe; one per loader.
class Transfer {
 public:
  static Result<Transfer> Create(Device& device, uint64_t chunk_bytes = 64ull << 20);

  Status Upload(const Buffer& dst, uint64_t dst_offset, const void* src, uint64_t bytes);
  Status Download(const Buffer& src, uint64_t src_offset, void* dst, uint64_t bytes);
  // Sets every byte of `dst` to zero on the device (no staging).
  Status Zero(const Buffer& dst);

 private:
  enum class Direction { kToDevice, kToHost, kZero };
  Status CopyChunk(const Buffer& device_buffer, uint64_t offset, uint64_t bytes, Direction dir);

  Device* device_ = nullptr;
  Buffer staging_;
};

}  // namespace hfd::vk
