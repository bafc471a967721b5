#include "tests/vulkan/reference_ops.h"

#include <algorithm>
#include <cmath>

#include "engine/quant/half.h"

namespace hfd::vk::testing {

std::vector<float> RefMatMul(const std::vector<float>& w, int64_t rows, int64_t cols,
                             const std::vector<float>& x, int64_t ntok) {
  std::vector<float> y(ntok * rows);
  for (int64_t t = 0; t < ntok; ++t) {
    for (int64_t r = 0; r < rows; ++r) {
      double acc = 0;
      for (int64_t k = 0; k < cols; ++k) acc += double(w[r * cols + k]) * x[t * cols + k];
      y[t * rows + r] = static_cast<float>(acc);
    }
  }
  return y;
}

std::vector<float> RefRmsNorm(const std::vector<float>& x, const std::vector<float>& w,
                              int64_t width, int64_t group, float eps) {
  std::vector<float> y(x.size());
  for (size_t g0 = 0; g0 < x.size(); g0 += group) {
    double ss = 0;
    for (int64_t i = 0; i < group; ++i) ss += double(x[g0 + i]) * x[g0 + i];
    const double scale = 1.0 / std::sqrt(ss / group + eps);
    for (int64_t i = 0; i < group; ++i) y[g0 + i] = float(x[g0 + i] * scale * w[i]);
  }
  return y;
}

std::vector<float> RefRope(const std::vector<float>& x, const std::vector<float>& freqs, int n_head,
                           int head_dim, bool interleaved, int pos) {
  std::vector<float> y = x;
  const int row = n_head * head_dim;
  const int ntok = static_cast<int>(x.size()) / row;
  for (int t = 0; t < ntok; ++t) {
    for (int h = 0; h < n_head; ++h) {
      for (int i = 0; i < head_dim / 2; ++i) {
        const int base = t * row + h * head_dim;
        const int a = interleaved ? base + 2 * i : base + i;
        const int b = interleaved ? a + 1 : a + head_dim / 2;
        const double angle = double(pos + t) * freqs[i];
        y[a] = float(x[a] * std::cos(angle) - x[b] * std::sin(angle));
        y[b] = float(x[a] * std::sin(angle) + x[b] * std::cos(angle));
      }
    }
  }
  return y;
}

std::vector<float> RefAttention(const std::vector<float>& q, const std::vector<float>& keys,
                                const std::vector<float>& values, int n_head, int n_head_kv,
                                int head_dim, int pos, int ntok, int window, float scale) {
  std::vector<float> out(q.size());
  const int kv_width = n_head_kv * head_dim;
  for (int t = 0; t < ntok; ++t) {
    const int qpos = pos + t;
    const int lo = window > 0 ? std::max(0, qpos - window + 1) : 0;
    for (int h = 0; h < n_head; ++h) {
      const int kvh = h / (n_head / n_head_kv);
      const float* qv = &q[(t * n_head + h) * head_dim];
      std::vector<double> s;
      double m = -INFINITY;
      for (int j = lo; j <= qpos; ++j) {
        double d = 0;
        for (int i = 0; i < head_dim; ++i)
          d += double(qv[i]) * keys[j * kv_width + kvh * head_dim + i];
        s.push_back(d * scale);
        m = std::max(m, s.back());
      }
      double sum = 0;
      for (double& v : s) sum += (v = std::exp(v - m));
      for (int i = 0; i < head_dim; ++i) {
        double acc = 0;
        for (int j = lo; j <= qpos; ++j)
          acc += s[j - lo] * values[j * kv_width + kvh * head_dim + i];
        out[(t * n_head + h) * head_dim + i] = float(acc / sum);
      }
    }
  }
  return out;
}

std::vector<float> RoundToHalf(const std::vector<float>& v) {
  std::vector<float> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = HalfToFloat(FloatToHalf(v[i]));
  return out;
}

}  // namespace hfd::vk::testing
