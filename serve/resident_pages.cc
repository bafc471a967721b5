#include "serve/resident_pages.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace hfd::serve {
namespace {

using PageRange = std::pair<uintptr_t, uintptr_t>;  // [begin, end), page-aligned

// The page ranges of every weight, sorted and merged so that a page two tensors share is
// counted once.
std::vector<PageRange> WeightPages(const model::ModelFiles& files, uintptr_t page) {
  std::vector<PageRange> ranges;
  const auto add = [&](const uint8_t* data, uint64_t bytes) {
    if (data == nullptr || bytes == 0) return;
    const auto begin = reinterpret_cast<uintptr_t>(data);
    ranges.emplace_back(begin & ~(page - 1), (begin + bytes + page - 1) & ~(page - 1));
  };
  for (const std::string& name : files.WeightNames()) {
    const Result<model::WeightView> w = files.Weight(name);
    if (!w.ok()) continue;
    if (w->parts.empty()) {
      add(w->data, w->nbytes);
      continue;
    }
    for (const uint8_t* part : w->parts) add(part, w->nbytes / w->parts.size());
  }
  std::sort(ranges.begin(), ranges.end());
  std::vector<PageRange> merged;
  for (const PageRange& r : ranges) {
    if (!merged.empty() && r.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

}  // namespace

int64_t ResidentWeightBytes(const model::ModelFiles& files) {
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  // mincore fills one byte per page: ask in chunks so the vector stays small.
  constexpr uintptr_t kChunkPages = uintptr_t{1} << 16;
  std::vector<unsigned char> in_core(kChunkPages);
  int64_t resident_pages = 0;
  for (const auto& [begin, end] : WeightPages(files, page)) {
    for (uintptr_t at = begin; at < end; at += kChunkPages * page) {
      const uintptr_t bytes = std::min(end - at, kChunkPages * page);
      // NOLINTNEXTLINE(performance-no-int-to-ptr): the address came from a mapped pointer
      if (::mincore(reinterpret_cast<void*>(at), bytes, in_core.data()) != 0) continue;
      const auto pages = static_cast<std::ptrdiff_t>(bytes / page);
      resident_pages += std::count_if(in_core.begin(), in_core.begin() + pages,
                                      [](unsigned char c) { return (c & 1) != 0; });
    }
  }
  return resident_pages * static_cast<int64_t>(page);
}

}  // namespace hfd::serve
