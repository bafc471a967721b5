// Memory that the weights are read from, in 2 MiB pages where Linux gives them (transparent
// huge pages). A matrix kernel streams weights faster from them: each 4 KiB page is a TLB
// entry, and in a virtual machine a TLB miss walks two page tables, so with 4 KiB pages the
// streams (16 rows side by side in a tile) stall on page walks (BENCHMARKS.md, "Weights in
// 2 MiB pages").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "hfd/status.h"

namespace hfd::io {

// The size of a transparent huge page on x86-64 (a PMD entry).
inline constexpr size_t kHugePageBytes = size_t{2} << 20;

// Asks for 2 MiB pages behind [addr, addr + size), a mapping not yet touched: anonymous
// memory then faults in huge pages, and a file mapping reads the file into the page cache in
// 2 MiB pieces, which every later mapping of it (this process's or another's, llama.cpp's
// included) maps whole. Parts of the file already cached in small pages stay as they are.
// Advice only: where the kernel has no transparent huge pages (or they are off) nothing
// changes.
void AdviseHugePages(const void* addr, size_t size);

// Zeroed anonymous memory. From 2 MiB up it is aligned to 2 MiB and its whole 2 MiB pages
// are advised as above; less stays in small pages (a huge page would be mostly empty).
// Move-only.
class HugePageMemory {
 public:
  // `what` names the contents in the error when the memory is not there.
  static Result<HugePageMemory> Allocate(size_t size, std::string_view what);

  HugePageMemory() = default;
  HugePageMemory(HugePageMemory&& other) noexcept;
  HugePageMemory& operator=(HugePageMemory&& other) noexcept;
  HugePageMemory(const HugePageMemory&) = delete;
  HugePageMemory& operator=(const HugePageMemory&) = delete;
  ~HugePageMemory();

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  std::span<uint8_t> span() const { return {data_, size_}; }

 private:
  HugePageMemory(uint8_t* data, size_t size, size_t mapped)
      : data_(data), size_(size), mapped_(mapped) {}
  void Release();

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;  // bytes mapped at data_ (size_ rounded up to whole pages)
};

}  // namespace hfd::io
