// KV memory for many sequences of one model: one KV cache allocated as a pool of fixed-size
// blocks (KvCacheDesc::block_size), handed out to sequences as block tables. A sequence
// holds ceil(positions / block_size) blocks in any order; reserving more fails cleanly
// when the pool has too few free blocks, and releasing gives them back. The blocks are
// bookkeeping only: the backend maps positions through the tables (RunParams::seqs).
//
// Prefix cache: a full block whose content is published (PrefixIndex) may be held by many
// tables at once (reference counts) and stays cached when the last one lets it go: such
// blocks wait in an LRU list, count as free for reservations and are evicted, least
// recently used first, only when no never-used block is left.
//
// Not thread-safe: one caller at a time (the batch that owns it).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "engine/runtime/backend.h"
#include "engine/runtime/prefix_index.h"

namespace hfd::runtime {

// Which pool blocks hold a sequence's positions, in order.
using BlockTable = std::vector<int32_t>;

class KvPool {
 public:
  // A pool of `n_blocks` blocks of `block_size` positions for a model's KV shape (`shape`'s
  // n_ctx and block_size are ignored). InvalidArgument for non-positive sizes.
  static Result<std::unique_ptr<KvPool>> Create(Backend& backend, const KvCacheDesc& shape,
                                                int32_t n_blocks, int32_t block_size);

  KvCache& cache() { return *cache_; }
  const KvCache& cache() const { return *cache_; }
  int32_t block_size() const { return block_size_; }
  int32_t n_blocks() const { return n_blocks_; }
  // Blocks a reservation can take: unused ones and cached ones no table holds.
  int32_t free_blocks() const { return static_cast<int32_t>(free_.size() + lru_.size()); }
  // Blocks no table holds that keep a cached prefix (evicted when needed).
  int32_t cached_blocks() const { return static_cast<int32_t>(lru_.size()); }
  // Blocks held by tables.
  int32_t used_blocks() const { return n_blocks_ - free_blocks(); }

  // Blocks `table` needs (more than it holds) to cover `n_positions`.
  int32_t BlocksToGrow(const BlockTable& table, int64_t n_positions) const;

  // Grows `table` to cover `n_positions`. Busy (table unchanged) when too few blocks are
  // free now, TooLarge when the whole pool could not hold them.
  Status Reserve(BlockTable& table, int64_t n_positions);

  // Gives every block of `table` back to the pool and clears it.
  void Release(BlockTable& table) { Truncate(table, 0); }
  // Gives back the blocks of `table` from index `keep` on, the last first (so a cached
  // chain is evicted from its end).
  void Truncate(BlockTable& table, size_t keep);

  // The cached block holding `tokens` (block_size ids) after the prefix `parent`.
  std::optional<PrefixIndex::Hit> FindCached(PrefixIndex::Id parent,
                                             std::span<const int32_t> tokens) const {
    return index_.Find(parent, tokens);
  }
  // Appends a block FindCached gave to `table`, taking a reference on it.
  void Attach(BlockTable& table, int32_t block);
  // Publishes `block` (held by a table, full, computed) as holding `tokens` after
  // `parent`; returns the content's id (PrefixIndex::Add). Its content must not change
  // while it is published.
  PrefixIndex::Id Publish(int32_t block, PrefixIndex::Id parent, std::span<const int32_t> tokens) {
    return index_.Add(block, parent, tokens);
  }
  bool Published(int32_t block) const { return index_.Contains(block); }
  // Whether more than one table holds `block`.
  bool Shared(int32_t block) const { return refs_[block] > 1; }
  // Takes a block its only holder is about to overwrite out of the prefix cache.
  void Unpublish(int32_t block) { index_.Erase(block); }

 private:
  KvPool(std::unique_ptr<KvCache> cache, int32_t n_blocks, int32_t block_size);
  // A block for a table: a never-used one, else the least recently used cached one.
  int32_t Take();
  void Unref(int32_t block);

  std::unique_ptr<KvCache> cache_;
  int32_t n_blocks_;
  int32_t block_size_;
  std::vector<int32_t> free_;  // a stack: the most recently freed block is reused first
  std::vector<int32_t> refs_;  // tables holding each block
  std::list<int32_t> lru_;     // cached blocks no table holds, least recently used first
  std::vector<std::list<int32_t>::iterator> lru_pos_;  // valid while a block is in lru_
  PrefixIndex index_;
};

}  // namespace hfd::runtime
