#include "backends/cpu/ops/moe.h"

#include <cmath>
#include <cstring>
#include <string>

namespace hfd::cpu {

void MoeRoute(const float* logits, float* routes, int64_t rows, const runtime::MoeAttrs& moe) {
  const int32_t n = moe.n_expert, k = moe.top_k;
  std::vector<bool> taken(static_cast<size_t>(n));
  for (int64_t t = 0; t < rows; ++t) {
    const float* l = logits + t * n;
    float* out = routes + t * 2 * k;
    float max = -INFINITY;
    for (int32_t e = 0; e < n; ++e) max = std::fmax(max, l[e]);
    double sum = 0;
    for (int32_t e = 0; e < n; ++e) sum += std::exp(double(l[e]) - max);
    std::fill(taken.begin(), taken.end(), false);
    double picked = 0;
    for (int32_t s = 0; s < k; ++s) {
      // The largest logit not yet taken; strictly larger replaces, so the lower id wins ties
      // and NaN (never larger) only fills slots no number is left for.
      int32_t best = -1;
      for (int32_t e = 0; e < n; ++e) {
        if (!taken[e] &&
            (best < 0 || l[e] > l[best] || (std::isnan(l[best]) && !std::isnan(l[e])))) {
          best = e;
        }
      }
      taken[best] = true;
      const double p = std::exp(double(l[best]) - max) / sum;
      out[s] = static_cast<float>(best);
      out[k + s] = static_cast<float>(p);
      picked += p;
    }
    if (moe.norm_topk && picked > 0) {
      for (int32_t s = 0; s < k; ++s) out[k + s] = static_cast<float>(out[k + s] / picked);
    }
  }
}

Status MoeMatMul(Isa isa, const ExpertWeights& w, const float* x, int64_t x_width,
                 const float* routes, int32_t top_k, int64_t n_tokens, float* y, ThreadPool& pool,
                 ActPrecision precision, std::vector<float>& scratch) {
  const auto n_expert = static_cast<int64_t>(w.experts->size());
  const bool per_slot = x_width != w.cols;
  // The (token, slot) pairs grouped by expert, in token order within each: a counting sort
  // into one array, so a decode step allocates nothing per expert.
  const int64_t n_pairs = n_tokens * top_k;
  auto expert_of = [&](int64_t pair) { return routes[(pair / top_k) * 2 * top_k + pair % top_k]; };
  std::vector<int64_t> first(static_cast<size_t>(n_expert + 1),
                             0);  // expert e: [first[e], first[e + 1])
  for (int64_t p = 0; p < n_pairs; ++p) {
    const float id = expert_of(p);
    if (!(id >= 0 && id < static_cast<float>(n_expert))) {
      return Internal("expert id " + std::to_string(id) + " outside the model's " +
                      std::to_string(n_expert) + " experts");
    }
    ++first[static_cast<size_t>(id) + 1];
  }
  for (int64_t e = 0; e < n_expert; ++e) first[e + 1] += first[e];
  std::vector<int64_t> order(static_cast<size_t>(n_pairs));
  std::vector<int64_t> next(first.begin(), first.end() - 1);
  for (int64_t p = 0; p < n_pairs; ++p) order[next[static_cast<size_t>(expert_of(p))]++] = p;
  for (int64_t e = 0; e < n_expert; ++e) {
    if (first[e] == first[e + 1]) continue;  // an unpicked expert's weights are never touched
    const int64_t* pairs = order.data() + first[e];
    const int64_t count = first[e + 1] - first[e];
    scratch.resize(static_cast<size_t>(count * (w.cols + w.rows)));
    float* in = scratch.data();
    float* out = in + count * w.cols;
    for (int64_t i = 0; i < count; ++i) {
      const int64_t t = pairs[i] / top_k, s = pairs[i] % top_k;
      const float* src = x + t * x_width + (per_slot ? s * w.cols : 0);
      std::memcpy(in + i * w.cols, src, static_cast<size_t>(w.cols) * sizeof(float));
    }
    HFD_RETURN_IF_ERROR(MatMulOnIsa(isa, w.type, (*w.experts)[e], w.rows, w.cols, in, count, out,
                                    &pool, precision));
    for (int64_t i = 0; i < count; ++i) {
      const int64_t t = pairs[i] / top_k, s = pairs[i] % top_k;
      std::memcpy(y + t * top_k * w.rows + s * w.rows, out + i * w.rows,
                  static_cast<size_t>(w.rows) * sizeof(float));
    }
  }
  return Status::Ok();
}

void MoeWeightedSum(const float* x, const float* routes, float* y, int64_t rows, int64_t width,
                    int32_t top_k) {
  for (int64_t t = 0; t < rows; ++t) {
    float* out = y + t * width;
    std::fill(out, out + width, 0.0f);
    for (int32_t s = 0; s < top_k; ++s) {
      const float weight = routes[t * 2 * top_k + top_k + s];
      const float* part = x + (t * top_k + s) * width;
      for (int64_t i = 0; i < width; ++i) out[i] += weight * part[i];
    }
  }
}

Status MoeAddBias(const float* x, const float* routes, const float* bias, float* y, int64_t rows,
                  int64_t width, const runtime::MoeAttrs& moe) {
  const int32_t k = moe.top_k;
  for (int64_t t = 0; t < rows; ++t) {
    for (int32_t s = 0; s < k; ++s) {
      const float id = routes[t * 2 * k + s];
      if (!(id >= 0 && id < static_cast<float>(moe.n_expert))) {
        return Internal("expert id " + std::to_string(id) + " outside the model's " +
                        std::to_string(moe.n_expert) + " experts");
      }
      const float* b = bias + static_cast<int64_t>(id) * width;
      const int64_t at = (t * k + s) * width;
      for (int64_t i = 0; i < width; ++i) y[at + i] = x[at + i] + b[i];
    }
  }
  return Status::Ok();
}

void SigmoidGate(const float* x, const float* gate, float* y, int64_t rows, int64_t width) {
  for (int64_t t = 0; t < rows; ++t) {
    const float g = 1.0f / (1.0f + std::exp(-gate[t]));
    for (int64_t i = 0; i < width; ++i) y[t * width + i] = x[t * width + i] * g;
  }
}

}  // namespace hfd::cpu
