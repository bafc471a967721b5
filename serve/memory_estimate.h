// How much memory a resident model needs, estimated before loading it, so the manager can
// evict idle models or refuse with the sizes instead of running the machine out of memory.
#pragma once

#include <cstdint>
#include <optional>

#include "engine/model/model_files.h"

namespace hfd::serve {

struct MemoryEstimate {
  int64_t weights_bytes = 0;              // every weight tensor as stored, every expert's too
  int64_t kv_bytes_per_slot = 0;          // one KV cache of `ctx` positions (F16)
  int64_t activation_bytes_per_slot = 0;  // logits and scratch of one session's graphs
  int64_t kv_bytes_per_position = 0;      // F16 KV of one position, all layers
  int64_t total(int32_t slots) const { return with_kv(slots, slots * kv_bytes_per_slot); }
  // With `kv_bytes` of KV in all (a pool the slots share) instead of a cache per slot.
  int64_t with_kv(int32_t slots, int64_t kv_bytes) const {
    return weights_bytes + slots * activation_bytes_per_slot + kv_bytes;
  }
};

// KV cache bytes for `ctx` positions of `desc` in F16.
int64_t KvCacheBytes(const model::ModelDesc& desc, int32_t ctx);

// The estimate for `files` with `ctx` positions per slot; `prefill_batch` is the largest
// graph a session compiles.
MemoryEstimate EstimateMemory(const model::ModelFiles& files, int32_t ctx, int32_t prefill_batch);

// The largest context (a multiple of 16, at most `limit`) whose `slots` KV caches fit in
// `available` bytes with the weights; 0 when not even 16 positions fit. `pooled`: the
// slots share one KV pool (continuous batching), which must hold one whole context.
int32_t LargestFittingContext(const model::ModelFiles& files, int32_t slots, int32_t limit,
                              int32_t prefill_batch, int64_t available, bool pooled = false);

// The KV positions of a pool shared by `slots` sequences of `ctx` positions: room for
// every slot's whole context (`wanted` > 0: that many positions, if fewer), lowered to what
// `available` bytes leave beside the weights and activations, in 16-position blocks, and
// never below one whole context (the load plan made sure that one fits).
int64_t KvPoolPositions(const MemoryEstimate& estimate, int32_t slots, int32_t ctx, int64_t wanted,
                        int64_t available);

// How many of a KV pool's `positions` (KvPoolPositions) fit `device_left` bytes of a
// compute device's own memory (a GPU's, after the weights: Backend::device_memory_left)
// beside `slots` activations: all, or fewer in 16-position blocks, but never less than one
// whole context of `ctx` positions: OutOfMemory, saying what to do, when not even that fits.
Result<int64_t> DeviceKvPoolPositions(const MemoryEstimate& estimate, int32_t slots, int32_t ctx,
                                      int64_t positions, int64_t device_left);

// The automatic memory budget (`memory_budget_bytes = 0`): 75% of physical RAM, leaving
// the rest to the system and the page cache.
int64_t AutomaticMemoryBudget();

// The memory the kernel says is available without swapping (MemAvailable in /proc/meminfo),
// in bytes; nullopt when it cannot be read. HFD_TEST_MEMINFO, when set, names a file in
// /proc/meminfo's format read instead, so tests can stand in a small machine
// (docs/daemon.md).
std::optional<int64_t> MemAvailableBytes();

}  // namespace hfd::serve
