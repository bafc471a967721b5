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
  int64_t total(int32_t slots) const {
    return weights_bytes + slots * (kv_bytes_per_slot + activation_bytes_per_slot);
  }
};

// KV cache bytes for `ctx` positions of `desc` in F16.
int64_t KvCacheBytes(const model::ModelDesc& desc, int32_t ctx);

// The estimate for `files` with `ctx` positions per slot; `prefill_batch` is the largest
// graph a session compiles.
MemoryEstimate EstimateMemory(const model::ModelFiles& files, int32_t ctx, int32_t prefill_batch);

// The largest context (a multiple of 16, at most `limit`) whose `slots` KV caches fit in
// `available` bytes with the weights; 0 when not even 16 positions fit.
int32_t LargestFittingContext(const model::ModelFiles& files, int32_t slots, int32_t limit,
                              int32_t prefill_batch, int64_t available);

// The automatic memory budget (`memory_budget_bytes = 0`): 75% of physical RAM, leaving
// the rest to the system and the page cache.
int64_t AutomaticMemoryBudget();

// The memory the kernel says is available without swapping (MemAvailable in /proc/meminfo),
// in bytes; nullopt when it cannot be read. HFD_TEST_MEMINFO, when set, names a file in
// /proc/meminfo's format read instead, so tests can stand in a small machine
// (docs/daemon.md).
std::optional<int64_t> MemAvailableBytes();

}  // namespace hfd::serve
