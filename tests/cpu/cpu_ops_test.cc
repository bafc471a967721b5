// The CPU backend's non-matmul ops against float64 references written from their
// definitions in engine/runtime/graph.h.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "backends/cpu/cpu_kv_cache.h"
#include "backends/cpu/ops/attention.h"
#include "backends/cpu/ops/elementwise.h"
#include "backends/cpu/ops/rope.h"

namespace hfd::cpu {
namespace {

std::vector<float> Random(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

TEST(RmsNormTest, NormalisesEachGroupSeparately) {
  const std::vector<float> x = Random(12, 1);
  const std::vector<float> w = Random(4, 2);
  std::vector<float> y(12);
  RmsNorm(x.data(), w.data(), y.data(), 12, 4, 1e-5f);
  for (int g = 0; g < 3; ++g) {
    double ss = 0;
    for (int i = 0; i < 4; ++i) ss += double{x[g * 4 + i]} * x[g * 4 + i];
    const double scale = 1.0 / std::sqrt(ss / 4 + 1e-5);
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(y[g * 4 + i], x[g * 4 + i] * scale * w[i], 1e-5);
  }
}

TEST(ElementwiseTest, SwiGLUAddBiasArgmax) {
  const std::vector<float> g = {-2.0f, 0.0f, 3.0f}, u = {1.0f, 5.0f, -1.0f};
  std::vector<float> y(3);
  SwiGLU(g.data(), u.data(), y.data(), 3);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(y[i], g[i] / (1 + std::exp(-g[i])) * u[i], 1e-6);

  const std::vector<float> x = {1, 2, 3, 4, 5, 6}, b = {10, 20, 30};
  std::vector<float> z(6);
  AddBias(x.data(), b.data(), z.data(), 2, 3);
  EXPECT_EQ(z, (std::vector<float>{11, 22, 33, 14, 25, 36}));

  const std::vector<float> l = {NAN, 1.0f, 7.0f, 7.0f, -3.0f};
  EXPECT_EQ(Argmax(l.data(), 5), 2);
}

// Rotates pair (a, b) of each head by angle (pos + t) * inv_freq[i], in float64.
std::vector<double> RopeReference(const std::vector<float>& x, int n_tokens, int pos, int n_head,
                                  int head_dim, bool interleaved, const std::vector<float>& f) {
  std::vector<double> y(x.begin(), x.end());
  for (int t = 0; t < n_tokens; ++t) {
    for (int h = 0; h < n_head; ++h) {
      for (int i = 0; i < head_dim / 2; ++i) {
        const int base = (t * n_head + h) * head_dim;
        const int a = interleaved ? base + 2 * i : base + i;
        const int b = interleaved ? a + 1 : a + head_dim / 2;
        const double th = double{static_cast<float>(pos + t)} * f[i];
        y[a] = x[a] * std::cos(th) - x[b] * std::sin(th);
        y[b] = x[a] * std::sin(th) + x[b] * std::cos(th);
      }
    }
  }
  return y;
}

TEST(RopeTest, BothLayoutsMatchTheDefinition) {
  const int n_tokens = 3, n_head = 2, head_dim = 8, pos = 17;
  const std::vector<float> freqs = {1.0f, 0.3f, 0.01f, 1e-4f};
  const std::vector<float> x = Random(n_tokens * n_head * head_dim, 3);
  for (bool interleaved : {false, true}) {
    std::vector<float> y(x.size());
    Rope(x.data(), y.data(), n_tokens, pos, n_head, head_dim,
         interleaved ? runtime::RopeLayout::kInterleaved : runtime::RopeLayout::kHalfSplit,
         freqs.data());
    const std::vector<double> ref =
        RopeReference(x, n_tokens, pos, n_head, head_dim, interleaved, freqs);
    for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(y[i], ref[i], 2e-5) << i;
  }
}

struct AttentionCase {
  int n_head, n_head_kv, head_dim, window;
  runtime::KvType kv_type;
};

// out[t, h] = softmax over visible j of scale * q·k_j, then · v_j, in float64.
std::vector<double> AttentionReference(const AttentionCase& c, const std::vector<float>& q,
                                       const std::vector<float>& k, const std::vector<float>& v,
                                       int n, float scale) {
  const int qw = c.n_head * c.head_dim, kw = c.n_head_kv * c.head_dim;
  std::vector<double> out(static_cast<size_t>(n) * qw, 0.0);
  for (int t = 0; t < n; ++t) {
    for (int h = 0; h < c.n_head; ++h) {
      const int kvh = h / (c.n_head / c.n_head_kv);
      const int lo = c.window > 0 ? std::max(0, t - c.window + 1) : 0;
      std::vector<double> s;
      double mx = -INFINITY;
      for (int j = lo; j <= t; ++j) {
        double d = 0;
        for (int i = 0; i < c.head_dim; ++i) {
          d += double{q[t * qw + h * c.head_dim + i]} * k[j * kw + kvh * c.head_dim + i];
        }
        s.push_back(d * scale);
        mx = std::max(mx, s.back());
      }
      double sum = 0;
      for (double& e : s) sum += (e = std::exp(e - mx));
      for (int j = lo; j <= t; ++j) {
        for (int i = 0; i < c.head_dim; ++i) {
          out[t * qw + h * c.head_dim + i] += s[j - lo] / sum * v[j * kw + kvh * c.head_dim + i];
        }
      }
    }
  }
  return out;
}

class AttentionTest : public ::testing::TestWithParam<AttentionCase> {};

// Feeds a sequence as a 5-token prefill followed by single-token decode steps, as a
// session does, and compares every output with the float64 reference.
TEST_P(AttentionTest, PrefillThenDecodeMatchesReference) {
  const AttentionCase c = GetParam();
  const int n = 23, prefill = 5;
  const int qw = c.n_head * c.head_dim, kw = c.n_head_kv * c.head_dim;
  const std::vector<float> q = Random(n * qw, 4), k = Random(n * kw, 5), v = Random(n * kw, 6);
  const float scale = 1.0f / std::sqrt(static_cast<float>(c.head_dim));
  const std::vector<double> ref = AttentionReference(c, q, k, v, n, scale);

  for (int threads : {1, 2}) {
    CpuKvCache cache({1, 32, c.n_head_kv, c.head_dim, c.kv_type});
    ThreadPool pool(threads);
    std::vector<std::vector<float>> scratch;
    const runtime::AttentionAttrs attrs{0, c.n_head, c.n_head_kv, c.head_dim, c.window, scale};
    std::vector<float> out(static_cast<size_t>(n) * qw);
    for (int pos = 0; pos < n;) {
      const int count = pos == 0 ? prefill : 1;
      Attention(ActiveIsa(), attrs,
                {q.data() + pos * qw, k.data() + pos * kw, v.data() + pos * kw,
                 out.data() + pos * qw, count, pos},
                cache, pool, scratch);
      pos += count;
    }
    const double tol = c.kv_type == runtime::KvType::kF16 ? 3e-3 : 1e-5;
    for (size_t i = 0; i < out.size(); ++i) {
      ASSERT_NEAR(out[i], ref[i], tol) << "element " << i << ", threads " << threads;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, AttentionTest,
                         ::testing::Values(AttentionCase{4, 4, 16, 0, runtime::KvType::kF32},
                                           AttentionCase{4, 2, 16, 0, runtime::KvType::kF16},
                                           AttentionCase{6, 2, 8, 4, runtime::KvType::kF32},
                                           AttentionCase{8, 1, 32, 7, runtime::KvType::kF16}));

}  // namespace
}  // namespace hfd::cpu
