// SharedBatch when the KV pool is full (shared_batch.h): which waiting feeds get blocks,
// whose blocks are taken back, and who gives way so that the others progress.
#include <algorithm>

#include <fmt/format.h>

#include "engine/runtime/shared_batch.h"

namespace hfd::runtime {

SharedBatch::StepPlan SharedBatch::PlanStep() {
  std::vector<Waiting*> order(waiting_.begin(), waiting_.end());
  std::ranges::stable_sort(order, {}, [&](const Waiting* w) { return states_[w->seq].started; });
  const KvPool& pool = batch_->pool();
  StepPlan plan;
  int64_t room = batch_->max_step_tokens();
  int32_t free = pool.free_blocks();
  for (Waiting* w : order) {
    const auto n = static_cast<int64_t>(w->tokens.size());
    const int32_t grow = batch_->BlocksToGrow(w->seq, n);
    const int32_t need = batch_->blocks_held(w->seq) + grow;
    if (need > pool.n_blocks()) {
      w->status = TooLarge(fmt::format(
          "this conversation needs {} KV blocks of {} positions and the model's KV pool has {} "
          "in all: shorten the conversation, or load the model with a larger pool (more "
          "memory budget, or a smaller ctx)",
          need, pool.block_size(), pool.n_blocks()));
      w->done = true;
      std::erase(waiting_, w);
      cv_.notify_all();
      continue;
    }
    if (n > room) continue;
    if (grow > free) {
      // Younger sequences take no blocks before this one has them.
      plan.blocked = true;
      free = 0;
      continue;
    }
    room -= n;
    free -= grow;
    plan.run.push_back(w);
  }
  return plan;
}

bool SharedBatch::DropIdle() {
  SequenceBatch::SeqId victim = -1;
  for (size_t i = 0; i < states_.size(); ++i) {
    const auto seq = static_cast<SequenceBatch::SeqId>(i);
    if (!states_[i].idle || batch_->blocks_held(seq) == 0) continue;
    if (victim < 0 || states_[i].idle_since < states_[victim].idle_since) victim = seq;
  }
  if (victim < 0) return false;
  batch_->Drop(victim);
  NoteStats();  // ps shows the blocks free even when no step follows
  return true;
}

bool SharedBatch::PreemptYoungest() {
  Waiting* youngest = nullptr;
  for (size_t i = 0; i < states_.size(); ++i) {
    const auto seq = static_cast<SequenceBatch::SeqId>(i);
    if (states_[i].idle || batch_->blocks_held(seq) == 0) continue;
    const auto it = std::ranges::find_if(waiting_, [&](const Waiting* w) { return w->seq == seq; });
    // A sequence between two feeds will feed, go idle or close: wait for it.
    if (it == waiting_.end()) return false;
    if (youngest == nullptr || states_[i].started > states_[youngest->seq].started) {
      youngest = *it;
    }
  }
  if (youngest == nullptr) return false;
  batch_->Drop(youngest->seq);
  NoteStats();
  youngest->preempted = true;
  youngest->done = true;
  std::erase(waiting_, youngest);
  ++changes_;
  cv_.notify_all();
  return true;
}

}  // namespace hfd::runtime
