// An open-addressing hash map from a pair of token ids to the merge that joins them; built
// once at load, then read concurrently without locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hfd::tok {

struct MergeRule {
  float score;     // higher merges first (a merge list's rank r gives -r)
  int32_t merged;  // id of the joined token
};

class PairMap {
 public:
  // Sizes the table for about `expected` pairs; call before Insert.
  void Reserve(size_t expected);

  // Keeps the first rule given for a pair (a merges list's earlier, better rank).
  void Insert(int32_t left, int32_t right, MergeRule rule);

  // Hints that (left, right) is about to be inserted or looked up.
  void Prefetch(int32_t left, int32_t right) const {
    if (!entries_.empty()) __builtin_prefetch(&entries_[Slot(Key(left, right))]);
  }

  // The rule for (left, right), or nullptr.
  const MergeRule* Find(int32_t left, int32_t right) const;

  size_t size() const { return size_; }

 private:
  static uint64_t Key(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
           static_cast<uint32_t>(right);
  }
  size_t Slot(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  void Grow();

  static constexpr uint64_t kEmpty = ~0ull;
  struct Entry {
    uint64_t key;
    MergeRule rule;
  };
  std::vector<Entry> entries_;  // key and rule side by side: one cache miss per probe
  size_t size_ = 0;
  int shift_ = 64;
};

}  // namespace hfd::tok
