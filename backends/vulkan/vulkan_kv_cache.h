// The KV cache of the Vulkan backend: per layer, a K and a V buffer of n_ctx rows of
// n_head_kv * head_dim IEEE halves (or floats, for an F32 cache) in device memory.
#pragma once

#include <vector>

#include "backends/vulkan/buffer.h"
#include "engine/runtime/backend.h"

namespace hfd::vk {

// Created by VulkanBackend::AllocateKvCache; the backend's Device must outlive it.
class VulkanKvCache final : public runtime::KvCache {
 public:
  // Zeroed buffers; TooLarge when one layer exceeds the device's buffer limit.
  static Result<std::unique_ptr<VulkanKvCache>> Create(Device& device, Transfer& transfer,
                                                       const runtime::KvCacheDesc& desc);

  const runtime::KvCacheDesc& desc() const override { return desc_; }
  int64_t bytes() const override;
  const Buffer& k(int layer) const { return k_[layer]; }
  const Buffer& v(int layer) const { return v_[layer]; }

  // Bytes one layer's K (or V) buffer takes.
  static uint64_t LayerBytes(const runtime::KvCacheDesc& desc);

 private:
  runtime::KvCacheDesc desc_;
  std::vector<Buffer> k_;
  std::vector<Buffer> v_;
};

}  // namespace hfd::vk
