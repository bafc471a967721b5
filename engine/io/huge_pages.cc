#include "engine/io/huge_pages.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

namespace hfd::io {

void AdviseHugePages(const void* addr, size_t size) {
  // EINVAL (no THP in this kernel) and the like leave the mapping as it was, which is right.
  ::madvise(const_cast<void*>(addr), size, MADV_HUGEPAGE);
}

Result<HugePageMemory> HugePageMemory::Allocate(size_t size, std::string_view what) {
  if (size == 0) return HugePageMemory();
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t mapped = (size + page - 1) / page * page;
  // Below one huge page, small pages: a huge one would hold mostly nothing. Above, one huge
  // page more than needed is mapped so that a 2 MiB boundary falls inside, and the rest is
  // unmapped again (mmap itself aligns only to pages).
  const size_t extra = size >= kHugePageBytes ? kHugePageBytes : 0;
  void* raw =
      ::mmap(nullptr, mapped + extra, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) {
    return OutOfMemory(
        "not enough memory for " + std::string(what) + " (" + std::to_string(size >> 20) +
        " MiB): unload a model, load this one with a smaller context, or free memory");
  }
  auto* data = static_cast<uint8_t*>(raw);
  if (extra > 0) {
    const size_t lead =
        (kHugePageBytes - reinterpret_cast<uintptr_t>(raw) % kHugePageBytes) % kHugePageBytes;
    if (lead > 0) ::munmap(raw, lead);
    data += lead;
    if (extra > lead) ::munmap(data + mapped, extra - lead);
    // Only whole huge pages: the tail past the last one stays in small pages.
    AdviseHugePages(data, size / kHugePageBytes * kHugePageBytes);
  }
  return HugePageMemory(data, size, mapped);
}

HugePageMemory::HugePageMemory(HugePageMemory&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, 0)) {}

HugePageMemory& HugePageMemory::operator=(HugePageMemory&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, 0);
  }
  return *this;
}

HugePageMemory::~HugePageMemory() { Release(); }

void HugePageMemory::Release() {
  if (data_ != nullptr) ::munmap(data_, mapped_);
  data_ = nullptr;
}

}  // namespace hfd::io
