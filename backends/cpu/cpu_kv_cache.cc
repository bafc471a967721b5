#include "backends/cpu/cpu_kv_cache.h"

namespace hfd::cpu {

CpuKvCache::CpuKvCache(const runtime::KvCacheDesc& desc)
    : desc_(desc),
      row_elems_(static_cast<int64_t>(desc.n_head_kv) * desc.head_dim),
      elem_bytes_(desc.type == runtime::KvType::kF16 ? 2 : 4) {
  const int64_t layer_bytes = row_elems_ * desc.n_ctx * elem_bytes_;
  keys_.assign(layer_bytes * desc.n_layer, 0);
  values_.assign(layer_bytes * desc.n_layer, 0);
}

int64_t CpuKvCache::bytes() const { return static_cast<int64_t>(keys_.size() + values_.size()); }

void* CpuKvCache::Base(std::vector<uint8_t>& store, int layer) {
  return store.data() + static_cast<int64_t>(layer) * desc_.n_ctx * row_elems_ * elem_bytes_;
}

}  // namespace hfd::cpu
