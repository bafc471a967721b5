#include "engine/tokenizer/pair_map.h"

#include <utility>

namespace hfd::tok {

void PairMap::Reserve(size_t expected) {
  size_t capacity = 16;
  int bits = 4;
  while (capacity < expected * 2) {
    capacity *= 2;
    ++bits;
  }
  if (capacity <= entries_.size()) return;
  std::vector<Entry> old = std::move(entries_);
  entries_.assign(capacity, Entry{kEmpty, MergeRule{0.0f, -1}});
  shift_ = 64 - bits;
  size_ = 0;
  for (const Entry& e : old) {
    if (e.key == kEmpty) continue;
    Insert(static_cast<int32_t>(e.key >> 32), static_cast<int32_t>(e.key), e.rule);
  }
}

void PairMap::Grow() { Reserve(entries_.empty() ? 8 : entries_.size()); }

void PairMap::Insert(int32_t left, int32_t right, MergeRule rule) {
  if ((size_ + 1) * 2 > entries_.size()) Grow();
  const uint64_t key = Key(left, right);
  const size_t mask = entries_.size() - 1;
  for (size_t slot = Slot(key);; slot = (slot + 1) & mask) {
    Entry& e = entries_[slot];
    if (e.key == key) return;
    if (e.key == kEmpty) {
      e = Entry{key, rule};
      ++size_;
      return;
    }
  }
}

const MergeRule* PairMap::Find(int32_t left, int32_t right) const {
  if (entries_.empty()) return nullptr;
  const uint64_t key = Key(left, right);
  const size_t mask = entries_.size() - 1;
  for (size_t slot = Slot(key);; slot = (slot + 1) & mask) {
    const Entry& e = entries_[slot];
    if (e.key == key) return &e.rule;
    if (e.key == kEmpty) return nullptr;
  }
}

}  // namespace hfd::tok
