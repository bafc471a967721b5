#include "engine/runtime/shared_batch.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "engine/sampling/sampler.h"

namespace hfd::runtime {

Result<std::unique_ptr<SharedBatch>> SharedBatch::Create(Backend& backend,
                                                         const model::ModelFiles& files,
                                                         const SharedBatchOptions& options) {
  if (options.chunk_tokens < 1) return InvalidArgument("the prompt chunk needs at least a token");
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<SequenceBatch> batch,
                       SequenceBatch::Create(backend, files, options.batch));
  return std::unique_ptr<SharedBatch>(new SharedBatch(std::move(batch), options));
}

SharedBatch::SharedBatch(std::unique_ptr<SequenceBatch> batch, const SharedBatchOptions& options)
    : batch_(std::move(batch)),
      chunk_tokens_(std::min(options.chunk_tokens, batch_->max_step_tokens())),
      gather_wait_(options.gather_wait),
      stats_(batch_->stats()) {}

std::unique_ptr<BatchedSession> SharedBatch::NewSession() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !stepping_; });  // Open may move the sequences a step reads
  const SequenceBatch::SeqId seq = batch_->Open();
  if (static_cast<size_t>(seq) >= states_.size()) states_.resize(static_cast<size_t>(seq) + 1);
  states_[seq] = SeqState{};
  return std::unique_ptr<BatchedSession>(new BatchedSession(*this, seq));
}

int64_t SharedBatch::kv_bytes() const {
  std::lock_guard lock(mu_);
  return batch_->pool().cache().bytes();
}

BatchStats SharedBatch::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void SharedBatch::NoteStats() { stats_ = batch_->stats(); }

Result<bool> SharedBatch::Run(SequenceBatch::SeqId seq, int32_t at, std::span<const int32_t> tokens,
                              std::vector<float>& row, const std::function<bool()>& cancelled) {
  const auto cancelled_status = [] {
    return Cancelled("the request was cancelled before its tokens ran");
  };
  if (cancelled && cancelled()) return cancelled_status();  // e.g. between prompt chunks
  std::unique_lock lock(mu_);
  Wake(seq);
  if (batch_->position(seq) != at) return false;  // its blocks went to others while idle
  Waiting waiting{seq, tokens, &row, Status::Ok()};
  waiting_.push_back(&waiting);
  ++changes_;
  cv_.notify_all();
  // Whether every sequence of the last step has its next feed in.
  const auto all_back = [&] {
    return std::ranges::all_of(last_step_, [&](SequenceBatch::SeqId s) {
      return std::ranges::any_of(waiting_, [&](const Waiting* w) { return w->seq == s; });
    });
  };
  // Waits until `ready`; with a cancel check, at most kCancelPoll at a time.
  const auto wait = [&](const auto& ready) {
    if (cancelled) {
      cv_.wait_for(lock, kCancelPoll, ready);
    } else {
      cv_.wait(lock, ready);
    }
  };
  while (!waiting.done) {
    if (Withdraw(waiting, cancelled)) return cancelled_status();
    if (stepping_) {
      wait([&] { return waiting.done || !stepping_; });
      continue;
    }
    cv_.wait_for(lock, gather_wait_, [&] { return waiting.done || stepping_ || all_back(); });
    if (waiting.done || stepping_) continue;
    if (!LeadStep(lock)) {
      const uint64_t seen = changes_;
      wait([&] { return waiting.done || changes_ != seen; });
    }
  }
  if (waiting.preempted) return false;
  HFD_RETURN_IF_ERROR(waiting.status);
  return true;
}

bool SharedBatch::Withdraw(Waiting& waiting, const std::function<bool()>& cancelled) {
  if (!cancelled || std::ranges::find(waiting_, &waiting) == waiting_.end() || !cancelled()) {
    return false;
  }
  std::erase(waiting_, &waiting);
  ++changes_;  // the blocks it waited for may go to younger feeds now
  cv_.notify_all();
  return true;
}

bool SharedBatch::LeadStep(std::unique_lock<std::mutex>& lock) {
  StepPlan plan = PlanStep();
  while (plan.blocked) {
    if (!DropIdle()) {
      if (!plan.run.empty()) break;  // younger sequences that need no more blocks go on
      if (!PreemptYoungest()) return false;
    }
    plan = PlanStep();
  }
  if (plan.run.empty()) return true;  // every waiting feed was answered
  const std::vector<Waiting*>& taken = plan.run;
  for (const Waiting* w : taken) std::erase(waiting_, w);
  stepping_ = true;
  std::vector<SequenceBatch::Feed> feeds;
  feeds.reserve(taken.size());
  for (const Waiting* w : taken) feeds.push_back({w->seq, w->tokens});
  // The sequences' state is only touched by the leader, so the step runs unlocked.
  lock.unlock();
  Result<std::span<const float>> logits = batch_->Step(feeds);
  if (logits.ok()) {
    const auto vocab = static_cast<size_t>(batch_->n_vocab());
    for (size_t i = 0; i < taken.size(); ++i) {
      const auto row = logits->subspan(i * vocab, vocab);
      taken[i]->row->assign(row.begin(), row.end());
    }
  }
  lock.lock();
  NoteStats();
  last_step_.clear();
  last_step_.reserve(taken.size());
  for (Waiting* w : taken) {
    w->status = logits.status();
    w->done = true;
    last_step_.push_back(w->seq);
  }
  stepping_ = false;
  ++changes_;
  cv_.notify_all();
  return true;
}

void SharedBatch::Wake(SequenceBatch::SeqId seq) {
  SeqState& state = states_[seq];
  if (state.idle) {
    state.idle = false;
    state.started = ++ticks_;
  }
}

void SharedBatch::Idle(SequenceBatch::SeqId seq) {
  std::lock_guard lock(mu_);
  std::erase(last_step_, seq);
  states_[seq].idle = true;
  states_[seq].idle_since = ++ticks_;
  ++changes_;
  cv_.notify_all();
}

void SharedBatch::Close(SequenceBatch::SeqId seq) {
  std::unique_lock lock(mu_);
  // Its state belongs to a running step's leader until the step ends.
  cv_.wait(lock, [&] { return !stepping_; });
  std::erase(last_step_, seq);
  batch_->Close(seq);
  NoteStats();
  states_[seq] = SeqState{};
  ++changes_;
  cv_.notify_all();
}

Status SharedBatch::Rewind(SequenceBatch::SeqId seq, int32_t pos) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !stepping_; });
  // Positions the sequence gave up with its blocks are forgotten already.
  Status status = batch_->Rewind(seq, std::min(pos, batch_->position(seq)));
  NoteStats();
  return status;
}

int32_t SharedBatch::ReuseCached(SequenceBatch::SeqId seq, int32_t at,
                                 std::span<const int32_t> tokens) {
  // A decode token cannot fill a block: it does not wait for the running step.
  if (!batch_->prefix_cache() ||
      tokens.size() <= static_cast<size_t>(batch_->pool().block_size())) {
    return 0;
  }
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !stepping_; });
  Wake(seq);  // blocks it attaches are not an idle conversation's to take back
  if (batch_->position(seq) != at) return 0;  // its blocks went to others meanwhile
  const int32_t reused = batch_->AttachCachedPrefix(seq, tokens);
  NoteStats();
  return reused;
}

int32_t SharedBatch::Position(SequenceBatch::SeqId seq) const {
  std::unique_lock lock(mu_);
  return batch_->position(seq);
}

BatchedSession::~BatchedSession() { batch_.Close(seq_); }

Result<std::span<const float>> BatchedSession::Feed(std::span<const int32_t> tokens) {
  if (tokens.empty()) return InvalidArgument("no tokens to feed");
  const int32_t pos = position();
  if (pos + static_cast<int64_t>(tokens.size()) > n_ctx()) {
    return InvalidArgument(
        fmt::format("{} more tokens do not fit the context ({} of {} positions used); shorten the "
                    "prompt or raise the context size",
                    tokens.size(), pos, n_ctx()));
  }
  // A bad id would fail the whole step, other conversations' tokens with it.
  const int64_t vocab = batch_.batch_->n_vocab();
  for (int32_t id : tokens) {
    if (id < 0 || id >= vocab) {
      return InvalidArgument(
          fmt::format("token id {} is outside the vocabulary of {} tokens", id, vocab));
    }
  }
  const size_t before = history_.size();
  history_.insert(history_.end(), tokens.begin(), tokens.end());
  if (Status s = CatchUp(); !s.ok()) {
    // Keep what the KV holds, and what it held before and must recompute.
    history_.resize(std::max(before, static_cast<size_t>(batch_.Position(seq_))));
    return s;
  }
  return std::span<const float>(row_);
}

Status BatchedSession::CatchUp() {
  const auto chunk = static_cast<size_t>(batch_.chunk_tokens_);
  // The cache may hold what follows when the feed starts and after the sequence's blocks
  // went to others; between its own chunks it holds nothing new.
  bool look = true;
  while (true) {
    const int32_t at = batch_.Position(seq_);
    const auto from = static_cast<size_t>(at);
    if (from >= history_.size()) return Status::Ok();
    const std::span<const int32_t> rest = std::span<const int32_t>(history_).subspan(from);
    if (std::exchange(look, false)) {
      if (const int32_t reused = batch_.ReuseCached(seq_, at, rest); reused > 0) {
        reused_ += reused;
        continue;
      }
    }
    const std::span<const int32_t> next = rest.first(std::min(chunk, rest.size()));
    // False: the sequence gave its blocks up before this chunk ran; go on from where it is.
    HFD_ASSIGN_OR_RETURN(const bool ran, batch_.Run(seq_, at, next, row_, cancelled_));
    look = !ran;
  }
}

Result<int32_t> BatchedSession::FeedGreedy(int32_t token) {
  HFD_ASSIGN_OR_RETURN(std::span<const float> row, Feed(std::span<const int32_t>(&token, 1)));
  // Only the id: FindTopLogits's logsumexp (an exp per vocabulary entry) cost ~0.6 ms a
  // token here, and the next step waits for every sequence to choose.
  const int32_t id = sampling::Argmax(row);
  if (id < 0) return AllNanLogits();
  return id;
}

Result<TopLogits> BatchedSession::FeedTopLogits(int32_t token) {
  HFD_ASSIGN_OR_RETURN(std::span<const float> row, Feed(std::span<const int32_t>(&token, 1)));
  TopLogits top = FindTopLogits(row, kMaxTopLogits);
  if (top.ids.empty()) return AllNanLogits();
  return top;
}

Status BatchedSession::Rewind(int32_t pos) {
  if (pos < 0 || static_cast<size_t>(pos) > history_.size()) {
    return InvalidArgument(
        fmt::format("cannot rewind to {}: the sequence holds {} positions", pos, history_.size()));
  }
  history_.resize(static_cast<size_t>(pos));
  return batch_.Rewind(seq_, pos);
}

int32_t BatchedSession::position() const { return static_cast<int32_t>(history_.size()); }

int32_t BatchedSession::n_ctx() const { return batch_.batch_->n_ctx(); }

void BatchedSession::Idle() { batch_.Idle(seq_); }

}  // namespace hfd::runtime
