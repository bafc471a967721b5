#include "engine/tokenizer/token_index.h"

#include <functional>

namespace hfd::tok {

uint32_t TokenIndex::Hash(std::string_view text) {
  const uint64_t h = std::hash<std::string_view>{}(text);
  return static_cast<uint32_t>(h ^ (h >> 32));
}

void TokenIndex::Rehash(size_t capacity) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(capacity, Slot{0, -1});
  for (const Slot& s : old) {
    if (s.id >= 0) Place(s.hash, s.id);
  }
}

void TokenIndex::Place(uint32_t hash, int32_t id) {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    if (slots_[i].id < 0) {
      slots_[i] = {hash, id};
      return;
    }
  }
}

void TokenIndex::Build(const std::vector<std::string>& vocab) {
  size_t capacity = 16;
  while (capacity < vocab.size() * 2) capacity *= 2;
  slots_.assign(capacity, Slot{0, -1});
  size_ = 0;
  for (size_t id = 0; id < vocab.size(); ++id) Insert(vocab, static_cast<int32_t>(id));
}

void TokenIndex::Insert(const std::vector<std::string>& vocab, int32_t id) {
  const std::string& text = vocab[id];
  if (text.empty() || Find(vocab, text) >= 0) return;
  if ((size_ + 1) * 2 > slots_.size()) Rehash(slots_.empty() ? 16 : slots_.size() * 2);
  Place(Hash(text), id);
  ++size_;
}

int32_t TokenIndex::Find(const std::vector<std::string>& vocab, std::string_view text,
                         uint32_t hash) const {
  if (slots_.empty()) return -1;
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.id < 0) return -1;
    if (s.hash == hash && static_cast<size_t>(s.id) < vocab.size() && vocab[s.id] == text) {
      return s.id;
    }
  }
}

}  // namespace hfd::tok
