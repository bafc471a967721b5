#include "engine/runtime/sequence_batch.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "engine/model/model_files.h"
#include "engine/runtime/graph_builder.h"
#include "engine/runtime/session.h"

namespace hfd::runtime {

Result<std::unique_ptr<SequenceBatch>> SequenceBatch::Create(Backend& backend,
                                                             const model::ModelFiles& files,
                                                             const SequenceBatchOptions& options) {
  if (options.n_ctx < 1 || options.max_step_tokens < 1) {
    return InvalidArgument("a sequence batch needs a positive context size and step size");
  }
  const model::ModelDesc& d = files.desc();
  const int32_t n_ctx = ClampedContext(d, options.n_ctx);
  const KvCacheDesc shape{static_cast<int32_t>(d.n_layer), 0, static_cast<int32_t>(d.n_head_kv),
                          static_cast<int32_t>(d.head_dim), options.kv_type};
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<KvPool> pool,
                       KvPool::Create(backend, shape, options.n_blocks, options.block_size));
  return std::unique_ptr<SequenceBatch>(
      new SequenceBatch(backend, files, options, n_ctx, d.n_vocab, std::move(pool)));
}

SequenceBatch::SequenceBatch(Backend& backend, const model::ModelFiles& files,
                             const SequenceBatchOptions& options, int32_t n_ctx, int64_t n_vocab,
                             std::unique_ptr<KvPool> pool)
    : backend_(backend),
      n_ctx_(n_ctx),
      max_step_tokens_(options.max_step_tokens),
      prefix_cache_(options.prefix_cache),
      n_vocab_(n_vocab),
      pool_(std::move(pool)),
      executables_(backend, files, pool_->cache(), n_ctx, /*multi_sequence=*/true) {}

SequenceBatch::~SequenceBatch() = default;

SequenceBatch::SeqId SequenceBatch::Open() {
  for (size_t i = 0; i < seqs_.size(); ++i) {
    if (!seqs_[i].open) {
      seqs_[i].open = true;
      return static_cast<SeqId>(i);
    }
  }
  seqs_.emplace_back();
  seqs_.back().open = true;
  return static_cast<SeqId>(seqs_.size() - 1);
}

void SequenceBatch::Close(SeqId seq) {
  if (seq < 0 || seq >= static_cast<SeqId>(seqs_.size())) return;
  pool_->Release(seqs_[seq].blocks);
  seqs_[seq] = Seq{};
}

int32_t SequenceBatch::BlocksToGrow(SeqId seq, int64_t n_tokens) const {
  const Seq& s = seqs_[seq];
  return pool_->BlocksToGrow(s.blocks, s.pos + n_tokens);
}

void SequenceBatch::Drop(SeqId seq) {
  Seq& s = seqs_[seq];
  pool_->Release(s.blocks);  // published blocks stay cached for its return
  s.pos = 0;
  s.tokens.clear();
  s.ids.clear();
}

bool SequenceBatch::IsOpen(SeqId seq) const {
  return seq >= 0 && seq < static_cast<SeqId>(seqs_.size()) && seqs_[seq].open;
}

Status SequenceBatch::Rewind(SeqId seq, int32_t pos) {
  if (!IsOpen(seq)) return InvalidArgument(fmt::format("sequence {} is not open", seq));
  Seq& s = seqs_[seq];
  if (pos < 0 || pos > s.pos) {
    return InvalidArgument(
        fmt::format("cannot rewind to {}: the sequence holds {} positions", pos, s.pos));
  }
  const int32_t bs = pool_->block_size();
  const auto inside = static_cast<size_t>(pos / bs);  // the block that keeps pos % bs rows
  if (pos % bs != 0 && inside < s.blocks.size() && pool_->Published(s.blocks[inside])) {
    // The next feed writes into this block: a cached block another sequence holds is left
    // to it, one only this sequence holds leaves the cache.
    if (pool_->Shared(s.blocks[inside])) {
      pos -= pos % bs;
    } else {
      pool_->Unpublish(s.blocks[inside]);
    }
  }
  pool_->Truncate(s.blocks, static_cast<size_t>((pos + bs - 1) / bs));
  s.ids.resize(std::min(s.ids.size(), static_cast<size_t>(pos / bs)));
  s.tokens.resize(static_cast<size_t>(pos));
  s.pos = pos;
  return Status::Ok();
}

int32_t SequenceBatch::AttachCachedPrefix(SeqId seq, std::span<const int32_t> tokens) {
  if (!IsOpen(seq)) return 0;
  Seq& s = seqs_[seq];
  const int32_t bs = pool_->block_size();
  const auto n_tokens = static_cast<int64_t>(tokens.size());
  if (!prefix_cache_ || s.pos % bs != 0 || n_tokens <= bs) return 0;
  // A failed step may have left blocks past the positions (Run keeps them for a retry).
  pool_->Truncate(s.blocks, static_cast<size_t>(s.pos / bs));
  ++counts_.prefix_lookups;
  int32_t n = 0;
  while (n + bs < n_tokens && s.pos + n + bs <= n_ctx_) {
    const std::span<const int32_t> block =
        tokens.subspan(static_cast<size_t>(n), static_cast<size_t>(bs));
    const std::optional<PrefixIndex::Hit> hit =
        pool_->FindCached(s.ids.empty() ? PrefixIndex::kRoot : s.ids.back(), block);
    if (!hit) break;
    pool_->Attach(s.blocks, hit->block);
    s.ids.push_back(hit->id);
    s.tokens.insert(s.tokens.end(), block.begin(), block.end());
    n += bs;
  }
  s.pos += n;
  if (n > 0) ++counts_.prefix_hits;
  counts_.reused_tokens += n;
  return n;
}

void SequenceBatch::Advance(Seq& s, std::span<const int32_t> tokens) {
  s.tokens.insert(s.tokens.end(), tokens.begin(), tokens.end());
  s.pos += static_cast<int32_t>(tokens.size());
  counts_.computed_tokens += static_cast<int64_t>(tokens.size());
  if (!prefix_cache_) return;  // the blocks stay this sequence's alone
  const auto bs = static_cast<size_t>(pool_->block_size());
  for (size_t j = s.ids.size(); j < static_cast<size_t>(s.pos) / bs; ++j) {
    const PrefixIndex::Id parent = j == 0 ? PrefixIndex::kRoot : s.ids[j - 1];
    s.ids.push_back(pool_->Publish(s.blocks[j], parent, std::span(s.tokens).subspan(j * bs, bs)));
  }
}

BatchStats SequenceBatch::stats() const {
  BatchStats out = counts_;
  out.kv_blocks_used = pool_->used_blocks();
  out.kv_blocks_cached = pool_->cached_blocks();
  out.kv_blocks_total = pool_->n_blocks();
  return out;
}

Result<RunOutput> SequenceBatch::Run(GraphOutput output, std::span<const Feed> feeds) {
  if (feeds.empty()) return InvalidArgument("a step needs at least one sequence");
  int64_t total = 0;
  int64_t new_blocks = 0;
  for (size_t i = 0; i < feeds.size(); ++i) {
    const Feed& f = feeds[i];
    if (!IsOpen(f.seq)) return InvalidArgument(fmt::format("sequence {} is not open", f.seq));
    for (size_t j = 0; j < i; ++j) {
      if (feeds[j].seq == f.seq) {
        return InvalidArgument(fmt::format("sequence {} is fed twice in one step", f.seq));
      }
    }
    if (f.tokens.empty()) return InvalidArgument("every sequence of a step needs a token");
    const Seq& s = seqs_[f.seq];
    const int64_t end = s.pos + static_cast<int64_t>(f.tokens.size());
    if (end > n_ctx_) {
      return InvalidArgument(fmt::format(
          "{} more tokens do not fit the context ({} of {} positions used); shorten the prompt "
          "or raise the context size",
          f.tokens.size(), s.pos, n_ctx_));
    }
    total += static_cast<int64_t>(f.tokens.size());
    const int32_t grow = pool_->BlocksToGrow(s.blocks, end);
    if (static_cast<int64_t>(s.blocks.size()) + grow > pool_->n_blocks()) {
      return TooLarge(fmt::format(
          "sequence {} would need {} KV blocks of {}; the pool has {} in all: load the model "
          "with a larger KV pool or shorten the conversation",
          f.seq, s.blocks.size() + grow, pool_->block_size(), pool_->n_blocks()));
    }
    new_blocks += grow;
  }
  if (total > max_step_tokens_) {
    return InvalidArgument(
        fmt::format("a step takes at most {} tokens, got {}; split prompts "
                    "into chunks",
                    max_step_tokens_, total));
  }
  if (new_blocks > pool_->free_blocks()) {
    return Busy(
        fmt::format("the KV pool has {} free blocks, this step needs {}; retry when a "
                    "sequence has finished",
                    pool_->free_blocks(), new_blocks));
  }
  HFD_ASSIGN_OR_RETURN(Executable * exe, executables_.For(max_step_tokens_, output));
  // Every reservation now succeeds: the free blocks cover them all. Should the run fail,
  // the blocks stay with their sequences (for a retry) until they close.
  for (const Feed& f : feeds) {
    Seq& s = seqs_[f.seq];
    HFD_RETURN_IF_ERROR(pool_->Reserve(s.blocks, s.pos + static_cast<int64_t>(f.tokens.size())));
  }
  tokens_.clear();
  spans_.clear();
  for (const Feed& f : feeds) {
    const Seq& s = seqs_[f.seq];
    tokens_.insert(tokens_.end(), f.tokens.begin(), f.tokens.end());
    spans_.push_back({static_cast<int32_t>(f.tokens.size()), s.pos, s.blocks});
  }
  RunParams params;
  params.tokens = tokens_;
  params.seqs = spans_;
  HFD_ASSIGN_OR_RETURN(RunOutput out, backend_.Run(*exe, params));
  for (const Feed& f : feeds) Advance(seqs_[f.seq], f.tokens);
  return out;
}

Result<std::span<const float>> SequenceBatch::Step(std::span<const Feed> feeds) {
  HFD_ASSIGN_OR_RETURN(RunOutput out, Run(GraphOutput::kLastLogits, feeds));
  return out.logits;
}

Result<std::span<const int32_t>> SequenceBatch::StepGreedy(std::span<const Feed> feeds) {
  HFD_ASSIGN_OR_RETURN(RunOutput out, Run(GraphOutput::kLastArgmax, feeds));
  return out.argmax;
}

}  // namespace hfd::runtime
