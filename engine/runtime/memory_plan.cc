#include "engine/runtime/memory_plan.h"

#include <algorithm>

namespace hfd::runtime {

int64_t ValueBytes(const Graph& graph, ValueId id) {
  const Value& v = graph.values[id];
  const int64_t rows = v.rows == Rows::kOne ? 1 : graph.max_tokens;
  return rows * v.width * 4;
}

MemoryPlan PlanMemory(const Graph& graph, std::span<const int32_t> group_end) {
  const int32_t n_values = static_cast<int32_t>(graph.values.size());
  const int32_t n_ops = static_cast<int32_t>(graph.ops.size());
  // The last op reading each value (a fused group reads until its end); outputs stay
  // live past the end.
  std::vector<int32_t> last_use(n_values, -1);
  for (int32_t i = 0; i < n_ops; ++i) {
    const int32_t until = group_end.empty() ? i : std::max(i, group_end[i]);
    for (ValueId in : graph.ops[i].in) {
      if (in != kNone) last_use[in] = std::max(last_use[in], until);
    }
  }
  if (graph.output() != kNone) last_use[graph.output()] = n_ops;
  std::vector<std::vector<ValueId>> dies_at(n_ops);
  for (ValueId v = 0; v < n_values; ++v) {
    if (last_use[v] >= 0 && last_use[v] < n_ops) dies_at[last_use[v]].push_back(v);
  }

  MemoryPlan plan;
  plan.slot_of.assign(n_values, kNone);
  std::vector<int32_t> free_slots;
  for (int32_t i = 0; i < n_ops; ++i) {
    const Op& op = graph.ops[i];
    const int64_t bytes = ValueBytes(graph, op.out);
    // Best fit among free slots: the smallest that holds it, else grow the largest.
    auto best = free_slots.end();
    for (auto it = free_slots.begin(); it != free_slots.end(); ++it) {
      const int64_t size = plan.slot_bytes[*it];
      if (best == free_slots.end()) {
        best = it;
        continue;
      }
      const int64_t best_size = plan.slot_bytes[*best];
      const bool fits = size >= bytes, best_fits = best_size >= bytes;
      if ((fits && (!best_fits || size < best_size)) || (!fits && !best_fits && size > best_size)) {
        best = it;
      }
    }
    int32_t slot;
    if (best != free_slots.end()) {
      slot = *best;
      free_slots.erase(best);
      plan.slot_bytes[slot] = std::max(plan.slot_bytes[slot], bytes);
    } else {
      slot = static_cast<int32_t>(plan.slot_bytes.size());
      plan.slot_bytes.push_back(bytes);
    }
    plan.slot_of[op.out] = slot;
    // Values whose last reader is this op are free for later ops (not for this one).
    for (ValueId v : dies_at[i]) {
      if (plan.slot_of[v] != kNone &&
          std::find(free_slots.begin(), free_slots.end(), plan.slot_of[v]) == free_slots.end()) {
        free_slots.push_back(plan.slot_of[v]);
      }
    }
    if (last_use[op.out] == -1) free_slots.push_back(slot);  // never read
  }
  return plan;
}

}  // namespace hfd::runtime
