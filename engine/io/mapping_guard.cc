#include "engine/io/mapping_guard.h"

#include <signal.h>
#include <sys/mman.h>

#include <array>
#include <atomic>
#include <mutex>

namespace hfd::io {
namespace {

constexpr int kSlots = 4096;  // files mapped at once (shards of every resident model)

struct Slot {
  std::atomic<void*> base{nullptr};
  std::atomic<std::size_t> size{0};  // 0: free
  std::atomic<bool> damaged{false};
};

std::array<Slot, kSlots> g_slots;
std::mutex g_register_mu;  // serialises Register/Unregister (the handler takes no lock)
struct sigaction g_previous {};
std::once_flag g_installed;

// Async-signal-safe: atomics and mmap only.
void OnSigbus(int signo, siginfo_t* info, void* context) {
  const auto addr = reinterpret_cast<std::uintptr_t>(info->si_addr);
  for (Slot& slot : g_slots) {
    const std::size_t size = slot.size.load(std::memory_order_acquire);
    void* base = slot.base.load(std::memory_order_acquire);
    const auto begin = reinterpret_cast<std::uintptr_t>(base);
    if (size == 0 || addr < begin || addr - begin >= size) continue;
    // Zero pages over the whole mapping: every later read gets zeros, not a signal.
    if (::mmap(base, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
        MAP_FAILED) {
      break;
    }
    slot.damaged.store(true, std::memory_order_release);
    return;
  }
  // Not a guarded mapping: what SIGBUS meant before the guard.
  if ((g_previous.sa_flags & SA_SIGINFO) != 0 && g_previous.sa_sigaction != nullptr) {
    g_previous.sa_sigaction(signo, info, context);
    return;
  }
  if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN &&
      g_previous.sa_handler != nullptr) {
    g_previous.sa_handler(signo);
    return;
  }
  ::signal(SIGBUS, SIG_DFL);  // returning re-runs the faulting read, which now kills
}

void Install() {
  struct sigaction action {};
  action.sa_sigaction = OnSigbus;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGBUS, &action, &g_previous);
}

}  // namespace

int MappingGuard::Register(const void* begin, std::size_t size) {
  std::call_once(g_installed, Install);
  std::lock_guard lock(g_register_mu);
  for (int i = 0; i < kSlots; ++i) {
    Slot& slot = g_slots[i];
    if (slot.size.load(std::memory_order_relaxed) != 0) continue;
    slot.damaged.store(false, std::memory_order_relaxed);
    slot.base.store(const_cast<void*>(begin), std::memory_order_release);
    slot.size.store(size, std::memory_order_release);
    return i;
  }
  return -1;
}

void MappingGuard::Unregister(int slot) {
  if (slot < 0 || slot >= kSlots) return;
  std::lock_guard lock(g_register_mu);
  g_slots[slot].size.store(0, std::memory_order_release);
}

bool MappingGuard::Damaged(int slot) {
  return slot >= 0 && slot < kSlots && g_slots[slot].damaged.load(std::memory_order_acquire);
}

}  // namespace hfd::io
