// Many sequences of one model computed together (continuous batching): their KV lives in
// one KvPool, and each Step runs ONE forward call over tokens of any number of them,
// every sequence at its own position, causal within itself (RunParams::seqs). A step may
// mix prefill chunks of new prompts with one decode token of running sequences; sequences
// open and close between steps, closing gives their KV blocks back.
//
// Not thread-safe: one caller at a time (a per-model scheduler loop). The backend (with
// weights loaded from `files`) and the files must outlive the batch.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "engine/runtime/backend.h"
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

  // Forgets the sequence's positions from `pos` on, keeping its KV blocks; pos <=
  // position(seq).
  Status Rewind(SeqId seq, int32_t pos);

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
  const KvPool& pool() const { return *pool_; }

  // KV blocks the sequence holds, and how many more a feed of `n_tokens` would take.
  int32_t blocks_held(SeqId seq) const { return static_cast<int32_t>(seqs_[seq].blocks.size()); }
  int32_t BlocksToGrow(SeqId seq, int64_t n_tokens) const;
  // Gives the sequence's KV blocks back and rewinds it to position 0; it stays open (its
  // owner recomputes what it held when it feeds again).
  void Drop(SeqId seq);

 private:
  SequenceBatch(Backend& backend, const model::ModelFiles& files, int32_t n_ctx,
                int32_t max_step_tokens, int64_t n_vocab, std::unique_ptr<KvPool> pool);

  Result<Executable*> GraphFor(GraphOutput output);
  // Checks the feeds, reserves their blocks and runs the call on `output`'s graph.
  Result<RunOutput> Run(GraphOutput output, std::span<const Feed> feeds);

  struct Seq {
    bool open = false;
    int32_t pos = 0;
    BlockTable blocks;
  };

  Backend& backend_;
  const model::ModelFiles& files_;
  int32_t n_ctx_;
  int32_t max_step_tokens_;
  int64_t n_vocab_;
  std::unique_ptr<KvPool> pool_;
  std::vector<Seq> seqs_;
  struct Compiled {
    GraphOutput output;
    std::unique_ptr<Executable> exe;
  };
  std::vector<Compiled> compiled_;
  // The current step's tokens and sequence spans, reused.
  std::vector<int32_t> tokens_;
  std::vector<SeqSpan> spans_;
};

}  // namespace hfd::runtime
