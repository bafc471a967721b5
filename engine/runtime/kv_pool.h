// KV memory for many sequences of one model: one KV cache allocated as a pool of fixed-size
// blocks (KvCacheDesc::block_size), handed out to sequences as block tables. A sequence
// holds ceil(positions / block_size) blocks in any order; reserving more fails cleanly
// when the pool has too few free blocks, and releasing gives them back. The blocks are
// bookkeeping only: the backend maps positions through the tables (RunParams::seqs).
//
// Not thread-safe: one caller at a time (the batch that owns it).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/runtime/backend.h"

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
  int32_t free_blocks() const { return static_cast<int32_t>(free_.size()); }

  // Blocks `table` needs (more than it holds) to cover `n_positions`.
  int32_t BlocksToGrow(const BlockTable& table, int64_t n_positions) const;

  // Grows `table` to cover `n_positions`. Busy (table unchanged) when too few blocks are
  // free now, TooLarge when the whole pool could not hold them.
  Status Reserve(BlockTable& table, int64_t n_positions);

  // Gives every block of `table` back to the pool and clears it.
  void Release(BlockTable& table);

 private:
  KvPool(std::unique_ptr<KvCache> cache, int32_t n_blocks, int32_t block_size);

  std::unique_ptr<KvCache> cache_;
  int32_t n_blocks_;
  int32_t block_size_;
  std::vector<int32_t> free_;  // a stack: the most recently freed block is reused first
};

}  // namespace hfd::runtime
