// The CPU backend's KV cache: per layer, K and V as [n_ctx][n_head_kv][head_dim] arrays of
// F16 (bits) or F32, so one position's keys for all heads are contiguous.
#pragma once

#include <cstdint>
#include <memory>

#include "engine/io/huge_pages.h"
#include "engine/runtime/backend.h"

namespace hfd::cpu {

class CpuKvCache final : public runtime::KvCache {
 public:
  // Zeroed K and V for `desc`, in 2 MiB pages where Linux gives them (io::HugePageMemory:
  // attention streams them much as the matrices stream weights).
  static Result<std::unique_ptr<CpuKvCache>> Create(const runtime::KvCacheDesc& desc);

  const runtime::KvCacheDesc& desc() const override { return desc_; }
  int64_t bytes() const override;

  // Elements of one position's K (or V): n_head_kv * head_dim.
  int64_t row_elems() const { return row_elems_; }
  // Start of layer `layer`'s K or V; element type per desc().type (uint16_t F16 bits or
  // float). Valid while the cache lives.
  void* k(int layer) { return Base(keys_, layer); }
  void* v(int layer) { return Base(values_, layer); }

 private:
  CpuKvCache(const runtime::KvCacheDesc& desc, int64_t row_elems, int64_t layer_bytes,
             io::HugePageMemory keys, io::HugePageMemory values)
      : desc_(desc),
        row_elems_(row_elems),
        layer_bytes_(layer_bytes),
        keys_(std::move(keys)),
        values_(std::move(values)) {}
  void* Base(const io::HugePageMemory& store, int layer) const;

  runtime::KvCacheDesc desc_;
  int64_t row_elems_;
  int64_t layer_bytes_;  // one layer's K (or V): n_ctx positions of row_elems_ elements
  io::HugePageMemory keys_;
  io::HugePageMemory values_;
};

}  // namespace hfd::cpu
