#include "backends/vulkan/memory_ledger.h"

#include <fmt/format.h>

#include <map>

#include "common/units.h"

namespace hfd::vk {
namespace {

std::string Bytes(uint64_t bytes) { return FormatBytes(static_cast<int64_t>(bytes)); }

}  // namespace

std::shared_ptr<MemoryLedger> MemoryLedger::For(const std::string& key) {
  static std::mutex mu;
  static std::map<std::string, std::weak_ptr<MemoryLedger>> ledgers;
  std::lock_guard<std::mutex> lock(mu);
  std::weak_ptr<MemoryLedger>& slot = ledgers[key];
  std::shared_ptr<MemoryLedger> ledger = slot.lock();
  if (!ledger) {
    ledger = std::make_shared<MemoryLedger>();
    slot = ledger;
  }
  return ledger;
}

uint64_t MemoryLedger::held() const {
  std::lock_guard<std::mutex> lock(mu_);
  return held_;
}

Status MemoryLedger::Reserve(uint64_t bytes, uint64_t cap) {
  std::lock_guard<std::mutex> lock(mu_);
  if (held_ + bytes > cap) {
    return OutOfMemory(fmt::format(
        "{} more of device memory would take hfd past its cap of {} on this GPU ({} already "
        "held by loaded models); unload a model, use a shorter context or a smaller "
        "quantization, raise vulkan_max_memory, or use the CPU backend",
        Bytes(bytes), Bytes(cap), Bytes(held_)));
  }
  held_ += bytes;
  return Status::Ok();
}

void MemoryLedger::Release(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  held_ -= bytes;
}

LedgerHold& LedgerHold::operator=(LedgerHold&& other) noexcept {
  if (this != &other) {
    if (ledger_) ledger_->Release(bytes_);
    ledger_ = std::move(other.ledger_);
    bytes_ = other.bytes_;
  }
  return *this;
}

LedgerHold::~LedgerHold() {
  if (ledger_) ledger_->Release(bytes_);
}

}  // namespace hfd::vk
