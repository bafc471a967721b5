// Continuous batching for callers on many threads: each conversation has a BatchedSession
// (a TokenSession, so the generation loop runs on it unchanged), and their feeds meet in
// one SequenceBatch: a thread whose feed is waiting while no step runs leads the next
// step, after giving the sequences of the previous step a moment (gather_wait) to send
// theirs, and runs every waiting feed it can fit in max_step_tokens in one forward call;
// the others wait for it, or lead the step after. Long prompts go in chunks of at most
// chunk_tokens, so they share steps with others' decode tokens. A feed first takes what
// the prefix cache holds of it (SequenceBatch::AttachCachedPrefix), so a conversation
// that starts like an earlier one (a system prompt) computes only its own tokens.
//
// Thread-safe. The backend (with weights loaded from `files`) and the files outlive the
// batch, and the batch outlives its sessions.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "engine/runtime/sequence_batch.h"
#include "engine/runtime/token_session.h"

namespace hfd::runtime {

struct SharedBatchOptions {
  SequenceBatchOptions batch;
  int32_t chunk_tokens = 256;  // prompt tokens of one sequence per step
  // How long the leader of a step waits for the previous step's sequences to come back
  // (they choose their next token in between) before it runs without them.
  std::chrono::microseconds gather_wait{2000};
};

class BatchedSession;

class SharedBatch {
 public:
  static Result<std::unique_ptr<SharedBatch>> Create(Backend& backend,
                                                     const model::ModelFiles& files,
                                                     const SharedBatchOptions& options);

  // A new conversation: an empty sequence of the batch.
  std::unique_ptr<BatchedSession> NewSession();

  int64_t kv_bytes() const;
  // Pool use and prefix cache figures as of the last step (a running step is not waited
  // for).
  BatchStats stats() const;

 private:
  friend class BatchedSession;
  SharedBatch(std::unique_ptr<SequenceBatch> batch, const SharedBatchOptions& options);

  // A feed waiting for its step; `row` receives its logits.
  struct Waiting {
    SequenceBatch::SeqId seq;
    std::span<const int32_t> tokens;
    std::vector<float>* row;
    Status status;
    bool done = false;
  };
  // Runs `tokens` on `seq` in the next step it fits and copies its logits row to `row`.
  Status Run(SequenceBatch::SeqId seq, std::span<const int32_t> tokens, std::vector<float>& row);
  // Leads one step with the waiting feeds that fit (at least the first); `lock` is held
  // on entry and exit, released while the step computes.
  void LeadStep(std::unique_lock<std::mutex>& lock);
  void Close(SequenceBatch::SeqId seq);
  Status Rewind(SequenceBatch::SeqId seq, int32_t pos);
  int32_t Position(SequenceBatch::SeqId seq) const;
  // This sequence will not feed for a while (its conversation is idle): steps stop waiting
  // for it.
  void Idle(SequenceBatch::SeqId seq);
  // Attaches the cached blocks continuing `seq` with `tokens`; how many tokens they cover.
  int32_t ReuseCached(SequenceBatch::SeqId seq, std::span<const int32_t> tokens);
  // Takes the batch's figures; the batch is not stepping.
  void NoteStats();

  const std::unique_ptr<SequenceBatch> batch_;  // its state is guarded by mu_
  const int32_t chunk_tokens_;
  const std::chrono::microseconds gather_wait_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Waiting*> waiting_;                 // guarded by mu_
  std::vector<SequenceBatch::SeqId> last_step_;  // guarded by mu_
  bool stepping_ = false;                        // a step computes; guarded by mu_
  BatchStats stats_;                             // guarded by mu_
};

// One conversation in a SharedBatch. Used by one thread at a time.
class BatchedSession final : public TokenSession {
 public:
  ~BatchedSession() override;

  Result<std::span<const float>> Feed(std::span<const int32_t> tokens) override;
  Result<int32_t> FeedGreedy(int32_t token) override;
  Result<TopLogits> FeedTopLogits(int32_t token) override;
  // Keeps the KV blocks, so the positions before `pos` are reused (prefix reuse).
  Status Rewind(int32_t pos) override;
  int32_t position() const override;
  int32_t n_ctx() const override;

  void Idle() override;
  int64_t reused_prefix_tokens() const override { return reused_; }

 private:
  friend class SharedBatch;
  BatchedSession(SharedBatch& batch, SequenceBatch::SeqId seq) : batch_(batch), seq_(seq) {}
  // Feeds one token and finds the k largest next-token logits on the host (the CPU
  // backend's argmax and top-logits ops compute the same).
  Result<TopLogits> FeedForTop(int32_t token, int32_t k);

  SharedBatch& batch_;
  const SequenceBatch::SeqId seq_;
  std::vector<float> row_;  // the last logits row
  int64_t reused_ = 0;      // fed tokens the prefix cache held
};

}  // namespace hfd::runtime
