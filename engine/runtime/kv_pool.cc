#include "engine/runtime/kv_pool.h"

#include <algorithm>

#include <fmt/format.h>

namespace hfd::runtime {

Result<std::unique_ptr<KvPool>> KvPool::Create(Backend& backend, const KvCacheDesc& shape,
                                               int32_t n_blocks, int32_t block_size) {
  if (n_blocks < 1 || block_size < 1) {
    return InvalidArgument("a KV pool needs at least one block of at least one position");
  }
  KvCacheDesc desc = shape;
  desc.block_size = block_size;
  desc.n_ctx = n_blocks * block_size;
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<KvCache> cache, backend.AllocateKvCache(desc));
  return std::unique_ptr<KvPool>(new KvPool(std::move(cache), n_blocks, block_size));
}

KvPool::KvPool(std::unique_ptr<KvCache> cache, int32_t n_blocks, int32_t block_size)
    : cache_(std::move(cache)),
      n_blocks_(n_blocks),
      block_size_(block_size),
      refs_(n_blocks, 0),
      lru_pos_(n_blocks) {
  free_.reserve(n_blocks);
  for (int32_t b = n_blocks - 1; b >= 0; --b) free_.push_back(b);  // block 0 first
}

int32_t KvPool::BlocksToGrow(const BlockTable& table, int64_t n_positions) const {
  const int64_t needed = (n_positions + block_size_ - 1) / block_size_;
  return static_cast<int32_t>(std::max<int64_t>(0, needed - static_cast<int64_t>(table.size())));
}

Status KvPool::Reserve(BlockTable& table, int64_t n_positions) {
  const int32_t more = BlocksToGrow(table, n_positions);
  if (static_cast<int64_t>(table.size()) + more > n_blocks_) {
    return TooLarge(fmt::format(
        "{} positions need {} KV blocks of {}; the pool has {} in all: load the model with a "
        "larger KV pool or shorten the conversation",
        n_positions, table.size() + more, block_size_, n_blocks_));
  }
  if (more > free_blocks()) {
    return Busy(
        fmt::format("the KV pool has {} free blocks, {} are needed; retry when another "
                    "sequence has finished",
                    free_blocks(), more));
  }
  for (int32_t i = 0; i < more; ++i) table.push_back(Take());
  return Status::Ok();
}

int32_t KvPool::Take() {
  int32_t block = 0;
  if (!free_.empty()) {
    block = free_.back();
    free_.pop_back();
  } else {
    block = lru_.front();
    lru_.pop_front();
    index_.Erase(block);
  }
  refs_[block] = 1;
  return block;
}

void KvPool::Attach(BlockTable& table, int32_t block) {
  if (refs_[block] == 0) lru_.erase(lru_pos_[block]);
  ++refs_[block];
  table.push_back(block);
}

void KvPool::Unref(int32_t block) {
  if (--refs_[block] > 0) return;
  if (index_.Contains(block)) {
    lru_pos_[block] = lru_.insert(lru_.end(), block);
  } else {
    free_.push_back(block);
  }
}

void KvPool::Truncate(BlockTable& table, size_t keep) {
  while (table.size() > keep) {
    Unref(table.back());
    table.pop_back();
  }
}

}  // namespace hfd::runtime
