#include "backends/vulkan/vulkan_kv_cache.h"

#include <string>

namespace hfd::vk {

uint64_t VulkanKvCache::LayerBytes(const runtime::KvCacheDesc& desc) {
  const uint64_t element = desc.type == runtime::KvType::kF32 ? 4 : 2;
  return static_cast<uint64_t>(desc.n_ctx) * desc.n_head_kv * desc.head_dim * element;
}

Result<std::unique_ptr<VulkanKvCache>> VulkanKvCache::Create(Device& device, Transfer& transfer,
                                                             const runtime::KvCacheDesc& desc) {
  if (desc.n_layer <= 0 || desc.n_ctx <= 0 || desc.n_head_kv <= 0 || desc.head_dim <= 0 ||
      desc.head_dim % 2 != 0) {
    return InvalidArgument("invalid KV cache shape");
  }
  auto cache = std::make_unique<VulkanKvCache>();
  cache->desc_ = desc;
  const uint64_t bytes = LayerBytes(desc);
  for (int l = 0; l < desc.n_layer; ++l) {
    for (std::vector<Buffer>* side : {&cache->k_, &cache->v_}) {
      auto b = Buffer::Create(device, bytes, MemoryUse::kDeviceLocal);
      if (!b.ok()) return b.status().WithContext("KV cache layer " + std::to_string(l));
      HFD_RETURN_IF_ERROR(transfer.Zero(*b));
      side->push_back(std::move(*b));
    }
  }
  return cache;
}

int64_t VulkanKvCache::bytes() const {
  return static_cast<int64_t>(LayerBytes(desc_) * 2 * desc_.n_layer);
}

}  // namespace hfd::vk
