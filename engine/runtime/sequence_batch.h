// Many sequences of one model computed together (continuous batching): their KV lives in
// one KvPool, and each Step runs ONE forward call over tokens of any number of them,
// every sequence at its own position, causal within itself (RunParams::seqs). A step may
// mix prefill chunks of new prompts with one decode token of running sequences; sequences
// open and close between steps, closing gives their KV blocks back.
//
// Prefix cache: every full KV block a step completes is published in the pool with its
// tokens (KvPool, PrefixIndex), and stays cached after its sequence closes (unless
// SequenceBatchOptions::prefix_cache is off).
// AttachCachedPrefix gives a sequence the cached blocks that continue it with the tokens
// it is about to be fed, so only the rest is computed. The KV of a position depends only
// on the tokens up to it (the kernels are batch-invariant; the exception, F16/BF16 weights
// on the amx path, computes single-token steps in another summation order, as conversation
// reuse in a Session already does), so the results are those computed without the cache,
// sliding windows included: attention reads absolute positions through the block table.
//
// Not thread-safe: one caller at a time (a per-model scheduler loop). The backend (with
// weights loaded from `files`) and the files must outlive the batch.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "engine/runtime/backend.h"
#include "engine/runtime/executable_cache.h"
#include "engine/runtime/kv_pool.h"

namespace hfd::runtime {

struct SequenceBatchOptions {
  int32_t n_ctx =
      4096;  // positions one sequence may reach; clamped to the model's training context
  int32_t block_size =
      16;  // positions per KV block (a multiple of 4 keeps results bit-equal to Session's)
  int32_t n_blocks = 1024;        // KV blocks in the pool, shared by all sequences
  int32_t max_step_tokens = 256;  // tokens of all sequences together in one step
  KvType kv_type = KvType::kF16;
  // Whether full blocks are published for other sequences to attach (the prefix cache);
  // false: a block is only its sequence's, and AttachCachedPrefix finds nothing.
  bool prefix_cache = true;
};

// Pool use and prefix cache figures of a batch.
struct BatchStats {
  int32_t kv_blocks_used = 0;    // held by sequences
  int32_t kv_blocks_cached = 0;  // held by none, kept for the prefix cache
  int32_t kv_blocks_total = 0;
  int64_t prefix_lookups = 0;   // AttachCachedPrefix calls with a full block to look for
  int64_t prefix_hits = 0;      // those that attached at least one block
  int64_t reused_tokens = 0;    // positions attached instead of computed
  int64_t computed_tokens = 0;  // tokens computed by steps
};

class SequenceBatch {
 public:
  using SeqId = int32_t;

  // One sequence's tokens in a step.
  struct Feed {
    SeqId seq;
    std::span<const int32_t> tokens;  // at least one
  };

  // Allocates the pool. InvalidArgument for non-positive sizes.
  static Result<std::unique_ptr<SequenceBatch>> Create(Backend& backend,
                                                       const model::ModelFiles& files,
                                                       const SequenceBatchOptions& options);
  ~SequenceBatch();
  SequenceBatch(const SequenceBatch&) = delete;
  SequenceBatch& operator=(const SequenceBatch&) = delete;

  // A new empty sequence (no KV blocks yet).
  SeqId Open();
  // Forgets the sequence and gives its KV blocks back; its id may be reused.
  void Close(SeqId seq);

  // Forgets the sequence's positions from `pos` on (pos <= position(seq)), keeping the KV
  // blocks of the positions before it. A sequence never writes into a block others share:
  // when `pos` falls inside one, the sequence drops it and forgets back to its start
  // (position(seq) tells), to compute those positions again.
  Status Rewind(SeqId seq, int32_t pos);

  // Attaches the cached KV blocks that hold the leading tokens of `tokens` right after the
  // sequence's positions, as many whole blocks as match, leaving at least the last token
  // to compute (it gives the logits row); advances the sequence past them and returns how
  // many tokens they cover (feed the rest). 0 when the sequence is not at a block boundary
  // or nothing is cached.
  int32_t AttachCachedPrefix(SeqId seq, std::span<const int32_t> tokens);

  // Appends each feed's tokens to its sequence in one forward call and returns one logits
  // row per feed, in order (feeds × n_vocab), valid until the next step. Nothing runs and
  // nothing changes on error: InvalidArgument for an unknown or repeated sequence, no
  // tokens, more than max_step_tokens in all or a sequence past n_ctx; Busy when the pool
  // has too few free blocks now (close or wait for a sequence), TooLarge when it never
  // could hold them.
  Result<std::span<const float>> Step(std::span<const Feed> feeds);
  // Like Step, but returns only each feed's largest next-token logit id (greedy decode).
  Result<std::span<const int32_t>> StepGreedy(std::span<const Feed> feeds);

  int32_t position(SeqId seq) const { return seqs_[seq].pos; }
  int64_t n_vocab() const { return n_vocab_; }
  int32_t n_ctx() const { return n_ctx_; }
  int32_t max_step_tokens() const { return max_step_tokens_; }
  bool prefix_cache() const { return prefix_cache_; }
  const KvPool& pool() const { return *pool_; }
  BatchStats stats() const;

  // KV blocks the sequence holds, and how many more a feed of `n_tokens` would take.
  int32_t blocks_held(SeqId seq) const { return static_cast<int32_t>(seqs_[seq].blocks.size()); }
  int32_t BlocksToGrow(SeqId seq, int64_t n_tokens) const;
  // Gives the sequence's KV blocks back and rewinds it to position 0; it stays open (its
  // owner recomputes what it held when it feeds again).
  void Drop(SeqId seq);

 private:
  SequenceBatch(Backend& backend, const model::ModelFiles& files,
                const SequenceBatchOptions& options, int32_t n_ctx, int64_t n_vocab,
                std::unique_ptr<KvPool> pool);

  // Checks the feeds, reserves their blocks and runs the call on `output`'s graph.
  Result<RunOutput> Run(GraphOutput output, std::span<const Feed> feeds);

  struct Seq {
    bool open = false;
    int32_t pos = 0;
    BlockTable blocks;
    std::vector<int32_t> tokens;       // the token at each position before pos
    std::vector<PrefixIndex::Id> ids;  // the content id of each full block
  };
  bool IsOpen(SeqId seq) const;
  // Appends a step's `tokens` to `s` and publishes the blocks they filled.
  void Advance(Seq& s, std::span<const int32_t> tokens);

  Backend& backend_;
  int32_t n_ctx_;
  int32_t max_step_tokens_;
  bool prefix_cache_;
  int64_t n_vocab_;
  std::unique_ptr<KvPool> pool_;
  ExecutableCache executables_;  // after pool_: destroyed before the cache they are bound to
  std::vector<Seq> seqs_;
  // The current step's tokens and sequence spans, reused.
  std::vector<int32_t> tokens_;
  std::vector<SeqSpan> spans_;
  BatchStats counts_;  // the prefix and step counters (the pool figures come from pool_)
};

}  // namespace hfd::runtime
