#include "backends/cpu/cpu_kv_cache.h"

#include <utility>

namespace hfd::cpu {

Result<std::unique_ptr<CpuKvCache>> CpuKvCache::Create(const runtime::KvCacheDesc& desc) {
  const int64_t row_elems = static_cast<int64_t>(desc.n_head_kv) * desc.head_dim;
  const int64_t elem_bytes = desc.type == runtime::KvType::kF16 ? 2 : 4;
  const int64_t layer_bytes = row_elems * desc.n_ctx * elem_bytes;
  const auto bytes = static_cast<size_t>(layer_bytes * desc.n_layer);
  HFD_ASSIGN_OR_RETURN(io::HugePageMemory keys,
                       io::HugePageMemory::Allocate(bytes, "the KV cache"));
  HFD_ASSIGN_OR_RETURN(io::HugePageMemory values,
                       io::HugePageMemory::Allocate(bytes, "the KV cache"));
  return std::unique_ptr<CpuKvCache>(
      new CpuKvCache(desc, row_elems, layer_bytes, std::move(keys), std::move(values)));
}

int64_t CpuKvCache::bytes() const { return static_cast<int64_t>(keys_.size() + values_.size()); }

void* CpuKvCache::Base(const io::HugePageMemory& store, int layer) const {
  return store.data() + static_cast<int64_t>(layer) * layer_bytes_;
}

}  // namespace hfd::cpu
