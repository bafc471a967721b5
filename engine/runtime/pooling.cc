#include "engine/runtime/pooling.h"

#include <cmath>

namespace hfd::runtime {

Status PoolTexts(std::span<const float> hidden, int64_t width, std::span<const int32_t> seq_lens,
                 model::Pooling pooling, bool normalize, std::vector<std::vector<float>>& out) {
  if (pooling == model::Pooling::kNone) {
    return InvalidArgument("the model has no pooling; it does not make one vector per text");
  }
  int64_t row = 0;
  for (int32_t len : seq_lens) {
    if (len < 1 || (row + len) * width > static_cast<int64_t>(hidden.size())) {
      return InvalidArgument("pooled texts do not match the hidden states");
    }
    std::vector<double> sum(static_cast<size_t>(width), 0.0);
    int64_t first = row, count = len;
    if (pooling == model::Pooling::kCls) count = 1;
    if (pooling == model::Pooling::kLast) first = row + len - 1, count = 1;
    for (int64_t r = first; r < first + count; ++r) {
      for (int64_t i = 0; i < width; ++i) sum[i] += hidden[r * width + i];
    }
    double norm_sq = 0.0;
    for (double& v : sum) {
      v /= static_cast<double>(count);
      norm_sq += v * v;
    }
    // A zero vector stays zero rather than becoming NaN.
    const double scale = normalize && norm_sq > 0 ? 1.0 / std::sqrt(norm_sq) : 1.0;
    std::vector<float>& vec = out.emplace_back(static_cast<size_t>(width));
    for (int64_t i = 0; i < width; ++i) vec[i] = static_cast<float>(sum[i] * scale);
    row += len;
  }
  return Status::Ok();
}

}  // namespace hfd::runtime
