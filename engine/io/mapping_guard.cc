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
  std::atomic<std::uintptr_t> begin{0};
  std::atomic<std::uintptr_t> end{0};  // 0: free
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
    const std::uintptr_t end = slot.end.load(std::memory_order_acquire);
    const std::uintptr_t begin = slot.begin.load(std::memory_order_acquire);
    if (end == 0 || addr < begin || addr >= end) continue;
    // Zero pages over the whole mapping: every later read gets zeros, not a signal.
    if (::mmap(reinterpret_cast<void*>(begin), end - begin, PROT_READ,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
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
    if (slot.end.load(std::memory_order_relaxed) != 0) continue;
    const auto b = reinterpret_cast<std::uintptr_t>(begin);
    slot.damaged.store(false, std::memory_order_relaxed);
    slot.begin.store(b, std::memory_order_release);
    slot.end.store(b + size, std::memory_order_release);
    return i;
  }
  return -1;
}

void MappingGuard::Unregister(int slot) {
  if (slot < 0 || slot >= kSlots) return;
  std::lock_guard lock(g_register_mu);
  g_slots[slot].end.store(0, std::memory_order_release);
}

bool MappingGuard::Damaged(int slot) {
  return slot >= 0 && slot < kSlots && g_slots[slot].damaged.load(std::memory_order_acquire);
}

}  // namespace hfd::io
