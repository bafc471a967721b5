// The device-local memory hfd holds on one GPU, summed over every model loaded on it in this
// process, against the cap they share (the daemon's `vulkan_max_memory`, else 90% of the
// device's local heap). Each loaded model opens its own Device, so without one ledger per
// physical device a second model would size its KV pool as if the first held nothing, and
// the cap would bound each model rather than hfd.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "hfd/status.h"

namespace hfd::vk {

class MemoryLedger {
 public:
  // The ledger of the physical device `key` (its UUID), shared by every Device of this
  // process on it; created on first use and dropped with its last Device.
  static std::shared_ptr<MemoryLedger> For(const std::string& key);

  uint64_t held() const;
  // Counts `bytes` if the total stays within `cap`; otherwise OutOfMemory saying what is
  // held, by whom, and what to do.
  Status Reserve(uint64_t bytes, uint64_t cap);
  void Release(uint64_t bytes);

 private:
  mutable std::mutex mu_;
  uint64_t held_ = 0;
};

// `bytes` counted in a ledger until destroyed. Move-only.
class LedgerHold {
 public:
  LedgerHold() = default;
  LedgerHold(std::shared_ptr<MemoryLedger> ledger, uint64_t bytes)
      : ledger_(std::move(ledger)), bytes_(bytes) {}
  LedgerHold(LedgerHold&& other) noexcept
      : ledger_(std::move(other.ledger_)), bytes_(other.bytes_) {}
  LedgerHold& operator=(LedgerHold&& other) noexcept;
  LedgerHold(const LedgerHold&) = delete;
  LedgerHold& operator=(const LedgerHold&) = delete;
  ~LedgerHold();

 private:
  std::shared_ptr<MemoryLedger> ledger_;
  uint64_t bytes_ = 0;
};

}  // namespace hfd::vk
