// The CPU backend's KV cache: per layer, K and V as [n_ctx][n_head_kv][head_dim] arrays of
// F16 (bits) or F32, so one position's keys for all heads are contiguous.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/runtime/backend.h"

namespace hfd::cpu {

class CpuKvCache final : public runtime::KvCache {
 public:
  explicit CpuKvCache(const runtime::KvCacheDesc& desc);

  const runtime::KvCacheDesc& desc() const override { return desc_; }
  int64_t bytes() const override;

  // Elements of one position's K (or V): n_head_kv * head_dim.
  int64_t row_elems() const { return row_elems_; }
  // Start of layer `layer`'s K or V; element type per desc().type (uint16_t F16 bits or
  // float). Valid while the cache lives.
  void* k(int layer) { return Base(keys_, layer); }
  void* v(int layer) { return Base(values_, layer); }

 private:
  void* Base(std::vector<uint8_t>& store, int layer);

  runtime::KvCacheDesc desc_;
  int64_t row_elems_;
  int64_t elem_bytes_;
  std::vector<uint8_t> keys_;
  std::vector<uint8_t> values_;
};

}  // namespace hfd::cpu
