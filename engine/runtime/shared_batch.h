// Continuous batching for callers on many threads: each conversation has a BatchedSession
// (a TokenSession, so the generation loop runs on it unchanged), and their feeds meet in
// one SequenceBatch: a thread whose feed is waiting while no step runs leads the next
// step, after giving the sequences of the previous step a moment (gather_wait) to send
// theirs, and runs every waiting feed it can fit in max_step_tokens in one forward call;
// the others wait for it, or lead the step after. Long prompts go in chunks of at most
// chunk_tokens, so they share steps with others' decode tokens. A feed first takes what
// the prefix cache holds of it (SequenceBatch::AttachCachedPrefix), so a conversation
// that starts like an earlier one (a system prompt) computes only its own tokens, and a
// sequence that gave its blocks up gets back those still cached.
//
// When the KV pool is full, a feed waits (it is never refused for want of blocks now):
// blocks go to the sequences that started first (a conversation starts at its first feed
// after Idle), idle conversations' blocks are taken back first, and when every sequence
// holding blocks waits for more, the one that started last gives its blocks up and
// recomputes its positions once blocks are free again, so the others always progress.
// A feed that the whole pool could never hold fails with TooLarge. A feed whose caller
// cancels (TokenSession::SetCancelCheck) while it waits leaves at once with Cancelled.
//
// Thread-safe. The backend (with weights loaded from `files`) and the files outlive the
// batch, and the batch outlives its sessions.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
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
    bool preempted = false;  // done without running: the sequence gave its KV blocks up
  };
  // What the batch knows of one sequence besides its KV (SequenceBatch).
  struct SeqState {
    bool idle = true;         // holds nothing it needs soon: its blocks may be taken back
    uint64_t started = 0;     // tick of its first feed after Idle: older goes first
    uint64_t idle_since = 0;  // tick of its Idle
  };
  // The waiting feeds the next step runs, and whether an older one waits for KV blocks.
  struct StepPlan {
    std::vector<Waiting*> run;
    bool blocked = false;
  };

  // Runs `tokens` on `seq`, which holds `at` positions, in the next step it fits and copies
  // its logits row to `row`: true. False when it ran nothing because the sequence no longer
  // holds `at` positions (its KV blocks went to others): feed again from its position.
  // Cancelled, having run nothing, once `cancelled` (may be empty) holds before a step
  // takes the feed; it is checked every kCancelPoll while the feed waits.
  Result<bool> Run(SequenceBatch::SeqId seq, int32_t at, std::span<const int32_t> tokens,
                   std::vector<float>& row, const std::function<bool()>& cancelled);
  // Takes `waiting` out of the queue if no step has taken it and `cancelled` holds: true
  // if it did.
  bool Withdraw(Waiting& waiting, const std::function<bool()>& cancelled);
  // Leads one step with the waiting feeds that fit; `lock` is held on entry and exit,
  // released while the step computes. False when none can run until a sequence that holds
  // KV blocks feeds, goes idle or closes (shared_batch_kv_wait.cc).
  bool LeadStep(std::unique_lock<std::mutex>& lock);
  // Chooses the waiting feeds of the next step, oldest sequences first, within
  // max_step_tokens and the free blocks; answers feeds the pool can never hold (TooLarge).
  StepPlan PlanStep();
  // Takes back the blocks of the conversation idle the longest that holds any: true if one did.
  bool DropIdle();
  // When every sequence holding blocks waits for a step, the one that started last gives
  // its blocks up (its feed ends preempted): true if one did.
  bool PreemptYoungest();
  void Close(SequenceBatch::SeqId seq);
  Status Rewind(SequenceBatch::SeqId seq, int32_t pos);
  int32_t Position(SequenceBatch::SeqId seq) const;
  // This sequence will not feed for a while (its conversation is idle): steps stop waiting
  // for it, and its KV blocks may go to others. A conversation that stops feeding must say
  // so (or close): feeds waiting for blocks wait for those of a busy one.
  void Idle(SequenceBatch::SeqId seq);
  // The sequence feeds again: it starts now (its age) unless it was feeding already.
  void Wake(SequenceBatch::SeqId seq);
  // Attaches the cached blocks continuing `seq`, which holds `at` positions, with `tokens`;
  // how many tokens they cover (0 when it no longer holds `at`).
  int32_t ReuseCached(SequenceBatch::SeqId seq, int32_t at, std::span<const int32_t> tokens);
  // Takes the batch's figures; the batch is not stepping.
  void NoteStats();

  // How often a waiting feed with a cancel check looks at it.
  static constexpr std::chrono::milliseconds kCancelPoll{20};

  const std::unique_ptr<SequenceBatch> batch_;  // its state is guarded by mu_
  const int32_t chunk_tokens_;
  const std::chrono::microseconds gather_wait_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Waiting*> waiting_;                 // guarded by mu_
  std::vector<SequenceBatch::SeqId> last_step_;  // guarded by mu_
  bool stepping_ = false;                        // a step computes; guarded by mu_
  std::vector<SeqState> states_;                 // by sequence id; guarded by mu_
  uint64_t ticks_ = 0;                           // orders starts and idles; guarded by mu_
  // Counts what may let a waiting feed run: feeds arriving, sequences going idle or
  // closing, steps ending; guarded by mu_.
  uint64_t changes_ = 0;
  BatchStats stats_;  // guarded by mu_
};

// One conversation in a SharedBatch. Used by one thread at a time.
class BatchedSession final : public TokenSession {
 public:
  ~BatchedSession() override;

  Result<std::span<const float>> Feed(std::span<const int32_t> tokens) override;
  // The next token is chosen on the host from the logits row, as the CPU backend's argmax
  // and top-logits ops choose it.
  Result<int32_t> FeedGreedy(int32_t token) override;
  Result<TopLogits> FeedTopLogits(int32_t token) override;
  // Keeps the KV blocks, so the positions before `pos` are reused (prefix reuse).
  Status Rewind(int32_t pos) override;
  int32_t position() const override;
  int32_t n_ctx() const override;

  void Idle() override;
  void SetCancelCheck(const std::function<bool()>& cancelled) override { cancelled_ = cancelled; }
  int64_t reused_prefix_tokens() const override { return reused_; }

 private:
  friend class SharedBatch;
  BatchedSession(SharedBatch& batch, SequenceBatch::SeqId seq) : batch_(batch), seq_(seq) {}
  // Feeds the tokens of history_ the sequence's KV does not hold, in chunks, after
  // taking what the prefix cache holds of them.
  Status CatchUp();

  SharedBatch& batch_;
  const SequenceBatch::SeqId seq_;
  std::vector<float> row_;  // the last logits row
  // The tokens at positions 0 .. position(): what the sequence recomputes after giving its
  // KV blocks up.
  std::vector<int32_t> history_;
  int64_t reused_ = 0;               // fed tokens the prefix cache held
  std::function<bool()> cancelled_;  // SetCancelCheck's
};

}  // namespace hfd::runtime
