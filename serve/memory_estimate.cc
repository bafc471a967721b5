#include "serve/memory_estimate.h"

#include <unistd.h>

#include <algorithm>

namespace hfd::serve {

int64_t KvCacheBytes(const model::ModelDesc& desc, int32_t ctx) {
  constexpr int64_t kF16Bytes = 2;
  return 2 * desc.n_layer * int64_t{ctx} * desc.n_head_kv * desc.head_dim * kF16Bytes;
}

namespace {

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
  // The last token's logits, then per token of the widest graph: the residual stream,
  // q/k/v/attention output and the feed-forward hidden values, in F32; plus a share of
  // attention scores over the context.
  const int64_t per_token = 4 * d.n_embd + 2 * d.n_head * d.head_dim + 3 * d.n_ff;
  const int64_t batch = prefill_batch;
  e.activation_bytes_per_slot = 4 * (d.n_vocab + batch * per_token + batch * d.n_head * ctx / 8);
  return e;
}

}  // namespace

MemoryEstimate EstimateMemory(const model::ModelFiles& files, int32_t ctx, int32_t prefill_batch) {
  return Estimate(files.desc(), WeightsBytes(files), ctx, prefill_batch);
}

int32_t LargestFittingContext(const model::ModelFiles& files, int32_t slots, int32_t limit,
                              int32_t prefill_batch, int64_t available) {
  constexpr int32_t kStep = 16;
  const int64_t weights = WeightsBytes(files);
  int32_t lo = 0, hi = std::max(0, limit / kStep);  // in units of kStep
  while (lo < hi) {
    const int32_t mid = lo + (hi - lo + 1) / 2;
    if (Estimate(files.desc(), weights, mid * kStep, prefill_batch).total(slots) <= available) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo * kStep;
}

int64_t AutomaticMemoryBudget() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return int64_t{8} << 30;
  return static_cast<int64_t>(pages) * page_size / 4 * 3;
}

}  // namespace hfd::serve
