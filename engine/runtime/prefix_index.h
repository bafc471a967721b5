// The prefix cache's index: which KV pool blocks hold which token prefixes. A full block's
// content is named by an id chained over its prefix: the pair (the id of the prefix before
// it, its block_size token ids) maps to the block, and each indexed block gets a new id,
// never reused. A lookup walks a prompt block by block from kRoot, so a hit's id names
// exactly the prompt's prefix up to it: the key's tokens are compared, not only hashed,
// and a parent id cannot come back for other content once its block leaves the index
// (its children's keys then stay unmatched until they are evicted too). No false hits.
//
// Not thread-safe: owned by a KvPool.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

namespace hfd::runtime {

class PrefixIndex {
 public:
  using Id = uint64_t;
  static constexpr Id kRoot = 0;  // the empty prefix

  struct Hit {
    int32_t block;
    Id id;  // the content's id: the parent of the next block's key
  };

  // The block holding `tokens` right after the prefix `parent`, if indexed.
  std::optional<Hit> Find(Id parent, std::span<const int32_t> tokens) const;

  // Indexes `block` as holding `tokens` after `parent` and returns the id of that content:
  // a new id, or the id of the block already indexed with the same content (`block`
  // stays out of the index then, a private copy). A hash clash with other content gives
  // a new id that no lookup reaches.
  Id Add(int32_t block, Id parent, std::span<const int32_t> tokens);

  bool Contains(int32_t block) const { return by_block_.contains(block); }
  // Takes `block` out of the index (its content is about to change, or it is evicted).
  void Erase(int32_t block);
  int32_t size() const { return static_cast<int32_t>(by_block_.size()); }

 private:
  struct Key {
    Id parent;
    uint64_t tokens_hash;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Entry {
    Key key;
    Id id;
    std::vector<int32_t> tokens;
  };
  static Key KeyOf(Id parent, std::span<const int32_t> tokens);

  std::unordered_map<Key, int32_t, KeyHash> by_key_;  // key -> block
  std::unordered_map<int32_t, Entry> by_block_;
  Id next_id_ = kRoot + 1;
};

}  // namespace hfd::runtime
