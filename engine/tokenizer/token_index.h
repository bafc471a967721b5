// Token text -> id: a flat open-addressing table of (hash, id) that compares candidates
// against the vocabulary itself, so it holds no strings and survives the vocabulary
// growing. Two cache misses per lookup instead of a node-based map's chain of them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hfd::tok {

class TokenIndex {
 public:
  // Indexes every non-empty entry of `vocab`; the first id wins for duplicate texts.
  void Build(const std::vector<std::string>& vocab);

  // Adds vocab[id] (already set by the caller) unless that text is indexed already.
  void Insert(const std::vector<std::string>& vocab, int32_t id);

  // The id whose vocab text is `text`, or -1.
  int32_t Find(const std::vector<std::string>& vocab, std::string_view text) const {
    return Find(vocab, text, Hash(text));
  }
  // The same with the hash computed by Hash: lets bulk lookups Prefetch first.
  int32_t Find(const std::vector<std::string>& vocab, std::string_view text, uint32_t hash) const;
  static uint32_t Hash(std::string_view text);
  void Prefetch(uint32_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
  }

 private:
  struct Slot {
    uint32_t hash;
    int32_t id;  // -1: empty
  };
  void Rehash(size_t capacity);
  void Place(uint32_t hash, int32_t id);

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace hfd::tok
