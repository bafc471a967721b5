// The CPU's mixture-of-experts kernels beyond what the op test compares: unpicked experts'
// weights are never read, and a prefill's tokens give the same rows as decoding them one
// at a time (each expert computed once over its tokens).
#include <gtest/gtest.h>

#include <vector>

#include "backends/cpu/ops/moe.h"
#include "engine/quant/dequantize.h"

namespace hfd::cpu {
namespace {

constexpr int64_t kCols = 64, kRows = 8;

// Expert e's weights: row r is all (e + 1) * (r + 1) / 64, so W·x for x of ones is
// (e + 1) * (r + 1).
std::vector<float> ExpertWeights(int e) {
  std::vector<float> w(kCols * kRows);
  for (int64_t r = 0; r < kRows; ++r) {
    for (int64_t k = 0; k < kCols; ++k) w[r * kCols + k] = float((e + 1) * (r + 1)) / kCols;
  }
  return w;
}

TEST(MoeOpsTest, UnpickedExpertsAreNeverRead) {
  // Experts 1 and 3 have no weights at all: reading them would crash.
  const std::vector<float> w0 = ExpertWeights(0), w2 = ExpertWeights(2);
  const std::vector<const uint8_t*> experts = {reinterpret_cast<const uint8_t*>(w0.data()), nullptr,
                                               reinterpret_cast<const uint8_t*>(w2.data()),
                                               nullptr};
  const runtime::MoeAttrs moe{4, 2, true};
  // Three tokens, routed to {2, 0}, {0, 2}, {2, 0} by their logits (a tie on token 1: 0 wins).
  const std::vector<float> logits = {1, -5, 3, -5, 2, -9, 2, -9, 0, -1, 0.5f, -1};
  std::vector<float> routes(3 * 4);
  MoeRoute(logits.data(), routes.data(), 3, moe);
  EXPECT_EQ(routes[0], 2);
  EXPECT_EQ(routes[1], 0);
  EXPECT_EQ(routes[4], 0);  // the tie
  EXPECT_EQ(routes[5], 2);
  EXPECT_FLOAT_EQ(routes[6] + routes[7], 1.0f);  // renormalized
  EXPECT_FLOAT_EQ(routes[6], 0.5f);

  ThreadPool pool(2);
  std::vector<float> scratch;
  const std::vector<float> x(3 * kCols, 1.0f);
  std::vector<float> y(3 * 2 * kRows);
  ASSERT_TRUE(MoeMatMul(ActiveIsa(), {TensorType::kF32, &experts, kRows, kCols}, x.data(), kCols,
                        routes.data(), 2, 3, y.data(), pool, ActPrecision::kInt8, scratch)
                  .ok());
  for (int64_t t = 0; t < 3; ++t) {
    for (int s = 0; s < 2; ++s) {
      const int e = static_cast<int>(routes[t * 4 + s]);
      for (int64_t r = 0; r < kRows; ++r) {
        EXPECT_NEAR(y[(t * 2 + s) * kRows + r], (e + 1) * (r + 1), 1e-4) << t << " " << s;
      }
    }
  }
  // One token at a time gives the same rows as the batch.
  for (int64_t t = 0; t < 3; ++t) {
    std::vector<float> one(2 * kRows);
    ASSERT_TRUE(MoeMatMul(ActiveIsa(), {TensorType::kF32, &experts, kRows, kCols},
                          x.data() + t * kCols, kCols, routes.data() + t * 4, 2, 1, one.data(),
                          pool, ActPrecision::kInt8, scratch)
                    .ok());
    for (int64_t i = 0; i < 2 * kRows; ++i) EXPECT_EQ(one[i], y[t * 2 * kRows + i]);
  }
}

TEST(MoeOpsTest, AnExpertIdOutsideTheStackIsAnError) {
  const std::vector<float> w0 = ExpertWeights(0);
  const std::vector<const uint8_t*> experts = {reinterpret_cast<const uint8_t*>(w0.data())};
  const std::vector<float> routes = {3, 1};  // expert 3 of 1, weight 1
  const std::vector<float> x(kCols, 1.0f);
  std::vector<float> y(kRows), scratch;
  ThreadPool pool(1);
  const Status st =
      MoeMatMul(ActiveIsa(), {TensorType::kF32, &experts, kRows, kCols}, x.data(), kCols,
                routes.data(), 1, 1, y.data(), pool, ActPrecision::kInt8, scratch);
  EXPECT_EQ(st.code(), ErrorCode::kInternal) << st.ToString();
}

}  // namespace
}  // namespace hfd::cpu
