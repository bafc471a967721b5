#include "engine/tokenizer/bpe.h"

#include <algorithm>

namespace hfd::tok {
namespace {

// Heap order: the best candidate (highest score, then leftmost) on top.
bool WorseThan(const BpeScratch::Candidate& a, const BpeScratch::Candidate& b) {
  if (a.score != b.score) return a.score < b.score;
  return a.left > b.left;
}

void Push(const PairMap& merges, const std::vector<Symbol>& symbols, uint32_t left, int32_t right,
          BpeScratch& scratch) {
  if (right < 0) return;
  const int32_t left_id = symbols[left].id;
  const int32_t right_id = symbols[right].id;
  if (left_id == kNoSymbol || right_id == kNoSymbol) return;
  const MergeRule* rule = merges.Find(left_id, right_id);
  if (rule == nullptr) return;
  scratch.heap.push_back({rule->score, left, left_id, right_id, rule->merged});
  std::push_heap(scratch.heap.begin(), scratch.heap.end(), WorseThan);
}

}  // namespace

void Merge(const PairMap& merges, std::vector<Symbol>& symbols, BpeScratch& scratch) {
  const auto n = static_cast<int32_t>(symbols.size());
  if (n < 2) return;
  scratch.heap.clear();
  scratch.prev.resize(n);
  scratch.next.resize(n);
  for (int32_t i = 0; i < n; ++i) {
    scratch.prev[i] = i - 1;
    scratch.next[i] = i + 1 < n ? i + 1 : -1;
  }
  for (int32_t i = 0; i + 1 < n; ++i) Push(merges, symbols, i, i + 1, scratch);

  while (!scratch.heap.empty()) {
    std::pop_heap(scratch.heap.begin(), scratch.heap.end(), WorseThan);
    const BpeScratch::Candidate top = scratch.heap.back();
    scratch.heap.pop_back();
    Symbol& left = symbols[top.left];
    const int32_t right_index = scratch.next[top.left];
    // Stale when either side has changed since the candidate was pushed.
    if (left.len == 0 || right_index < 0 || left.id != top.left_id ||
        symbols[right_index].id != top.right_id) {
      continue;
    }
    Symbol& right = symbols[right_index];
    left.id = top.merged;
    left.len += right.len;
    right.len = 0;
    const int32_t after = scratch.next[right_index];
    scratch.next[top.left] = after;
    if (after >= 0) scratch.prev[after] = static_cast<int32_t>(top.left);
    if (scratch.prev[top.left] >= 0) {
      Push(merges, symbols, scratch.prev[top.left], static_cast<int32_t>(top.left), scratch);
    }
    Push(merges, symbols, top.left, after, scratch);
  }

  // Compact the survivors in order.
  size_t out = 0;
  for (int32_t i = 0; i >= 0 && i < n; i = scratch.next[i]) symbols[out++] = symbols[i];
  symbols.resize(out);
}

}  // namespace hfd::tok
