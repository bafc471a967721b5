#include "engine/runtime/top_logits.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>

namespace hfd::runtime {

TopLogits FindTopLogits(std::span<const float> row, int32_t k) {
  TopLogits top;
  const auto keep = static_cast<size_t>(std::max(k, 0));
  top.ids.reserve(keep);
  top.logits.reserve(keep);
  float max = -std::numeric_limits<float>::infinity();
  bool any = false;
  // One ascending pass keeps the k best seen so far, sorted: equal logits stay in id order
  // because a later one is inserted after them.
  for (size_t i = 0; i < row.size(); ++i) {
    const float v = row[i];
    if (std::isnan(v)) continue;
    any = true;
    max = std::max(max, v);
    if (keep == 0 || (top.ids.size() == keep && !(v > top.logits.back()))) continue;
    if (top.ids.size() == keep) {
      top.ids.pop_back();
      top.logits.pop_back();
    }
    const auto at = std::upper_bound(top.logits.begin(), top.logits.end(), v, std::greater<>());
    const auto index = at - top.logits.begin();
    top.logits.insert(at, v);
    top.ids.insert(top.ids.begin() + index, static_cast<int32_t>(i));
  }
  if (!any || std::isinf(max)) {
    top.logsumexp = any ? max : -std::numeric_limits<float>::infinity();
    return top;
  }
  // Several partial sums: shorter dependency chains, and less rounding than one long sum.
  std::array<float, 8> sums{};
  for (size_t i = 0; i < row.size(); ++i) {
    if (!std::isnan(row[i])) sums[i % sums.size()] += std::exp(row[i] - max);
  }
  float sum = 0.0f;
  for (float s : sums) sum += s;
  top.logsumexp = max + std::log(sum);
  return top;
}

void PackTopLogits(const TopLogits& top, int32_t k, std::span<float> out) {
  for (int32_t i = 0; i < k; ++i) {
    const bool present = static_cast<size_t>(i) < top.ids.size();
    out[i] = present ? static_cast<float>(top.ids[i]) : -1.0f;
    out[k + i] = present ? top.logits[i] : -std::numeric_limits<float>::infinity();
  }
  out[TopLogitsWidth(k) - 1] = top.logsumexp;
}

TopLogits UnpackTopLogits(std::span<const float> packed, int32_t k) {
  TopLogits top;
  for (int32_t i = 0; i < k && packed[i] >= 0.0f; ++i) {
    top.ids.push_back(static_cast<int32_t>(packed[i]));
    top.logits.push_back(packed[k + i]);
  }
  top.logsumexp = packed[TopLogitsWidth(k) - 1];
  return top;
}

}  // namespace hfd::runtime
