#include "serve/memory_estimate.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "common/units.h"

namespace hfd::serve {

int64_t KvCacheBytes(const model::ModelDesc& desc, int32_t ctx) {
  constexpr int64_t kF16Bytes = 2;
  return 2 * desc.n_layer * int64_t{ctx} * desc.n_head_kv * desc.head_dim * kF16Bytes;
}

namespace {

// The feed-forward block's F32 values per token: gate, up and their product. A mixture of
// experts has those for each expert a token is routed to (of the experts' length, not the
// dense n_ff, which some files give as well) and for the shared expert, plus the router's
// logits and the (expert, weight) pairs it picks.
int64_t FeedForwardValuesPerToken(const model::ModelDesc& d) {
  if (!model::IsMoe(d)) return 3 * d.n_ff;
  return 3 * d.n_expert_used * d.n_ff_expert + 3 * d.n_ff_shared_expert + d.n_expert +
         2 * d.n_expert_used;
}

int64_t WeightsBytes(const model::ModelFiles& files) {
  int64_t bytes = 0;
  for (const std::string& name : files.WeightNames()) {
    if (Result<model::WeightView> w = files.Weight(name); w.ok()) {
      bytes += static_cast<int64_t>(w->nbytes);
    }
  }
  return bytes;
}

MemoryEstimate Estimate(const model::ModelDesc& d, int64_t weights_bytes, int32_t ctx,
                        int32_t prefill_batch) {
  MemoryEstimate e;
  e.weights_bytes = weights_bytes;
  e.kv_bytes_per_slot = KvCacheBytes(d, ctx);
  e.kv_bytes_per_position = KvCacheBytes(d, 1);
  // The last token's logits, then per token of the widest graph: the residual stream,
  // q/k/v/attention output and the feed-forward hidden values, in F32; plus a share of
  // attention scores over the context.
  const int64_t per_token = 4 * d.n_embd + 2 * d.n_head * d.head_dim + FeedForwardValuesPerToken(d);
  const int64_t batch = prefill_batch;
  e.activation_bytes_per_slot = 4 * (d.n_vocab + batch * per_token + batch * d.n_head * ctx / 8);
  return e;
}

}  // namespace

MemoryEstimate EstimateMemory(const model::ModelFiles& files, int32_t ctx, int32_t prefill_batch) {
  return Estimate(files.desc(), WeightsBytes(files), ctx, prefill_batch);
}

int32_t LargestFittingContext(const model::ModelFiles& files, int32_t slots, int32_t limit,
                              int32_t prefill_batch, int64_t available, bool pooled) {
  constexpr int32_t kStep = 16;
  const int64_t weights = WeightsBytes(files);
  int32_t lo = 0, hi = std::max(0, limit / kStep);  // in units of kStep
  while (lo < hi) {
    const int32_t mid = lo + (hi - lo + 1) / 2;
    const MemoryEstimate e = Estimate(files.desc(), weights, mid * kStep, prefill_batch);
    if ((pooled ? e.with_kv(slots, e.kv_bytes_per_slot) : e.total(slots)) <= available) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo * kStep;
}

int64_t KvPoolPositions(const MemoryEstimate& estimate, int32_t slots, int32_t ctx, int64_t wanted,
                        int64_t available) {
  constexpr int64_t kBlock = 16;
  const auto blocks = [](int64_t positions) { return (positions + kBlock - 1) / kBlock; };
  const int64_t whole = blocks(ctx);
  int64_t pool = wanted > 0 ? blocks(wanted) : slots * whole;
  if (estimate.kv_bytes_per_position > 0) {
    const int64_t left = available - estimate.with_kv(slots, 0);
    pool = std::min(pool, left / (estimate.kv_bytes_per_position * kBlock));
  }
  return std::clamp(pool, whole, slots * whole) * kBlock;
}

Result<int64_t> DeviceKvPoolPositions(const MemoryEstimate& estimate, int32_t slots, int32_t ctx,
                                      int64_t positions, int64_t device_left) {
  constexpr int64_t kBlock = 16;
  const int64_t block_bytes = std::max<int64_t>(estimate.kv_bytes_per_position * kBlock, 1);
  const int64_t left = device_left - slots * estimate.activation_bytes_per_slot;
  const int64_t fits = std::max<int64_t>(left, 0) / block_bytes * kBlock;
  const int64_t whole = (ctx + kBlock - 1) / kBlock * kBlock;
  if (fits < whole) {
    return OutOfMemory(fmt::format(
        "the KV pool needs one whole context ({} positions, {}) beside the activations of {} "
        "slot(s) ({}), and the device has {} of its memory left beside what the loaded models "
        "hold; load the model with a smaller ctx or max_concurrency or a smaller quant, "
        "unload another model, raise vulkan_max_memory, or load it on the CPU",
        whole, FormatBytes(whole * estimate.kv_bytes_per_position), slots,
        FormatBytes(slots * estimate.activation_bytes_per_slot),
        FormatBytes(std::max<int64_t>(device_left, 0))));
  }
  return std::min(positions, fits);
}

int64_t AutomaticMemoryBudget() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return int64_t{8} << 30;
  return static_cast<int64_t>(pages) * page_size / 4 * 3;
}

std::optional<int64_t> MemAvailableBytes() {
  const char* test_file = std::getenv("HFD_TEST_MEMINFO");
  std::ifstream in(test_file != nullptr ? test_file : "/proc/meminfo");
  std::string key, unit;
  int64_t value = 0;
  while (in >> key >> value) {
    std::getline(in, unit);
    if (key == "MemAvailable:") return value * 1024;  // the kernel counts in kB
  }
  return std::nullopt;
}

}  // namespace hfd::serve
