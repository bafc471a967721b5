#include "bench/batched_decode.h"

#include <algorithm>
#include <chrono>

#include "engine/runtime/sequence_batch.h"

namespace hfd::bench {

Result<double> BatchedDecodeRate(runtime::Backend& backend, const model::ModelFiles& files,
                                 std::span<const std::vector<int32_t>> prompts, int steps) {
  const int n_seqs = static_cast<int>(prompts.size());
  size_t longest = 0;
  for (const auto& p : prompts) longest = std::max(longest, p.size());
  const int per_seq = static_cast<int>(longest) + steps;
  constexpr int kBlock = 16;
  HFD_ASSIGN_OR_RETURN(auto batch,
                       runtime::SequenceBatch::Create(
                           backend, files,
                           {.n_ctx = per_seq,
                            .block_size = kBlock,
                            .n_blocks = n_seqs * ((per_seq + kBlock - 1) / kBlock),
                            .max_step_tokens = std::max(static_cast<int>(longest), n_seqs)}));
  std::vector<runtime::SequenceBatch::Feed> feeds;
  std::vector<int32_t> next(n_seqs);
  for (int s = 0; s < n_seqs; ++s) {
    const runtime::SequenceBatch::Feed feed{batch->Open(), prompts[s]};
    HFD_ASSIGN_OR_RETURN(std::span<const int32_t> first, batch->StepGreedy({&feed, 1}));
    next[s] = first[0];
    feeds.push_back({feed.seq, {&next[s], 1}});
  }
  const auto t0 = std::chrono::steady_clock::now();
  for (int step = 0; step < steps; ++step) {
    HFD_ASSIGN_OR_RETURN(std::span<const int32_t> ids, batch->StepGreedy(feeds));
    std::copy(ids.begin(), ids.end(), next.begin());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return n_seqs * steps / seconds;
}

}  // namespace hfd::bench
