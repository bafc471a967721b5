#include "engine/runtime/prefix_index.h"

#include <algorithm>
#include <functional>
#include <string_view>

namespace hfd::runtime {

size_t PrefixIndex::KeyHash::operator()(const Key& k) const {
  return std::hash<uint64_t>()(k.tokens_hash ^ (k.parent * 0x9E3779B97F4A7C15ull));
}

PrefixIndex::Key PrefixIndex::KeyOf(Id parent, std::span<const int32_t> tokens) {
  const std::string_view bytes(reinterpret_cast<const char*>(tokens.data()), tokens.size_bytes());
  return {parent, std::hash<std::string_view>()(bytes)};
}

std::optional<PrefixIndex::Hit> PrefixIndex::Find(Id parent,
                                                  std::span<const int32_t> tokens) const {
  const auto it = by_key_.find(KeyOf(parent, tokens));
  if (it == by_key_.end()) return std::nullopt;
  const Entry& e = by_block_.at(it->second);
  if (!std::ranges::equal(e.tokens, tokens)) return std::nullopt;  // a hash clash
  return Hit{it->second, e.id};
}

PrefixIndex::Id PrefixIndex::Add(int32_t block, Id parent, std::span<const int32_t> tokens) {
  const Key key = KeyOf(parent, tokens);
  if (const auto it = by_key_.find(key); it != by_key_.end()) {
    const Entry& held = by_block_.at(it->second);
    return std::ranges::equal(held.tokens, tokens) ? held.id : next_id_++;
  }
  Erase(block);
  const Id id = next_id_++;
  by_key_.emplace(key, block);
  by_block_.emplace(block, Entry{key, id, {tokens.begin(), tokens.end()}});
  return id;
}

void PrefixIndex::Erase(int32_t block) {
  const auto it = by_block_.find(block);
  if (it == by_block_.end()) return;
  by_key_.erase(it->second.key);
  by_block_.erase(it);
}

}  // namespace hfd::runtime
