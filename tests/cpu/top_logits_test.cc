// FindTopLogits (the top-logits op's definition) against a brute-force sort, and the
// packed row's round trip.
#include "engine/runtime/top_logits.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

namespace hfd::runtime {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Sorts every non-NaN index by value (descending, lower id first) and sums in double.
TopLogits BruteForce(const std::vector<float>& row, int32_t k) {
  std::vector<int32_t> ids;
  for (size_t i = 0; i < row.size(); ++i) {
    if (!std::isnan(row[i])) ids.push_back(static_cast<int32_t>(i));
  }
  std::stable_sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) { return row[a] > row[b]; });
  TopLogits top;
  double max = -kInf;
  for (int32_t id : ids) max = std::max<double>(max, row[id]);
  double sum = 0;
  for (int32_t id : ids) sum += std::exp(row[id] - max);
  top.logsumexp = static_cast<float>(ids.empty() ? -kInf : max + std::log(sum));
  ids.resize(std::min(ids.size(), static_cast<size_t>(k)));
  for (int32_t id : ids) {
    top.ids.push_back(id);
    top.logits.push_back(row[id]);
  }
  return top;
}

void ExpectMatches(const std::vector<float>& row, int32_t k) {
  const TopLogits got = FindTopLogits(row, k);
  const TopLogits want = BruteForce(row, k);
  EXPECT_EQ(got.ids, want.ids);
  EXPECT_EQ(got.logits, want.logits);
  if (std::isinf(want.logsumexp)) {
    EXPECT_EQ(got.logsumexp, want.logsumexp);
  } else {
    EXPECT_NEAR(got.logsumexp, want.logsumexp, 1e-5 * std::max(1.0f, std::abs(want.logsumexp)));
  }
}

TEST(TopLogitsTest, MatchesBruteForceOnRandomRows) {
  std::mt19937 rng(7);
  std::normal_distribution<float> logit(0.0f, 4.0f);
  for (int width : {1, 19, 20, 21, 257, 32000}) {
    std::vector<float> row(width);
    for (float& v : row) v = logit(rng);
    for (int32_t k : {0, 1, 5, 20}) {
      SCOPED_TRACE(testing::Message() << "width " << width << " k " << k);
      ExpectMatches(row, k);
    }
  }
}

TEST(TopLogitsTest, TiesPutTheLowerIdFirst) {
  std::vector<float> row(100, 1.0f);
  row[70] = 3.0f;
  row[10] = 3.0f;
  row[40] = 2.0f;
  const TopLogits top = FindTopLogits(row, 6);
  EXPECT_EQ(top.ids, (std::vector<int32_t>{10, 70, 40, 0, 1, 2}));
  ExpectMatches(row, 20);
}

TEST(TopLogitsTest, IgnoresNaN) {
  std::vector<float> row = {kNaN, 1.0f, kNaN, 5.0f, 2.0f, kNaN};
  const TopLogits top = FindTopLogits(row, 20);
  EXPECT_EQ(top.ids, (std::vector<int32_t>{3, 4, 1}));
  EXPECT_NEAR(top.logsumexp, std::log(std::exp(1.0) + std::exp(5.0) + std::exp(2.0)), 1e-5);
  const TopLogits none = FindTopLogits(std::vector<float>{kNaN, kNaN}, 3);
  EXPECT_TRUE(none.ids.empty());
  EXPECT_EQ(none.logsumexp, -kInf);
}

TEST(TopLogitsTest, InfiniteRows) {
  const TopLogits all_low = FindTopLogits(std::vector<float>{-kInf, -kInf, -kInf}, 2);
  EXPECT_EQ(all_low.ids, (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(all_low.logsumexp, -kInf);
  const TopLogits some_low = FindTopLogits(std::vector<float>{-kInf, 0.0f, -kInf, 0.0f}, 4);
  EXPECT_EQ(some_low.ids, (std::vector<int32_t>{1, 3, 0, 2}));
  EXPECT_NEAR(some_low.logsumexp, std::log(2.0f), 1e-6);
  const TopLogits high = FindTopLogits(std::vector<float>{1.0f, kInf, 3.0f}, 2);
  EXPECT_EQ(high.ids, (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(high.logsumexp, kInf);
}

TEST(TopLogitsTest, KLargerThanTheRow) {
  const std::vector<float> row = {0.5f, -1.0f, 2.0f};
  const TopLogits top = FindTopLogits(row, 20);
  EXPECT_EQ(top.ids, (std::vector<int32_t>{2, 0, 1}));
  ExpectMatches(row, 20);
}

TEST(TopLogitsTest, PackedRowRoundTrips) {
  const TopLogits top = FindTopLogits(std::vector<float>{0.5f, -1.0f, 2.0f}, 20);
  std::vector<float> packed(TopLogitsWidth(5));
  PackTopLogits(top, 5, packed);
  EXPECT_EQ(packed[3], -1.0f);  // missing entries
  EXPECT_EQ(packed[5 + 3], -kInf);
  const TopLogits back = UnpackTopLogits(packed, 5);
  EXPECT_EQ(back.ids, top.ids);
  EXPECT_EQ(back.logits, top.logits);
  EXPECT_EQ(back.logsumexp, top.logsumexp);
}

}  // namespace
}  // namespace hfd::runtime
