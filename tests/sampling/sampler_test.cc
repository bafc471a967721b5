// Sampler: exact behaviour of each stage with deterministic inputs, and distribution checks
// with fixed seeds and bounds many standard deviations wide (they cannot flake: the seed
// fixes the draws, and the bounds hold for any correct implementation).
#include "engine/sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <vector>

#include <gtest/gtest.h>

namespace hfd::sampling {
namespace {

SamplingParams Plain() {
  SamplingParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.seed = 1234;
  return p;
}

// Draws `n` tokens from fresh copies of `logits` and counts them.
std::map<int32_t, int> Histogram(const SamplingParams& p, const std::vector<float>& logits, int n,
                                 const std::vector<int32_t>& history = {}) {
  auto s = Sampler::Create(p);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  std::map<int32_t, int> counts;
  for (int i = 0; i < n; ++i) {
    std::vector<float> l = logits;
    auto id = s->Sample(l, history);
    EXPECT_TRUE(id.ok());
    ++counts[*id];
  }
  return counts;
}

TEST(SamplerTest, GreedyPicksArgmaxAndLowestIdOnTies) {
  SamplingParams p = Plain();
  p.temperature = 0.0f;
  auto s = Sampler::Create(p);
  ASSERT_TRUE(s.ok());
  std::vector<float> l = {0.1f, 3.0f, -1.0f, 3.0f, 2.9f};
  EXPECT_EQ(*s->Sample(l, {}), 1);
  std::vector<float> with_nan = {NAN, -5.0f, NAN};
  EXPECT_EQ(*s->Sample(with_nan, {}), 1);
  std::vector<float> all_nan = {NAN, NAN};
  EXPECT_FALSE(s->Sample(all_nan, {}).ok());
  std::vector<float> empty;
  EXPECT_FALSE(s->Sample(empty, {}).ok());
}

// Argmax keeps the maximum in several lanes: the answer must not depend on which lane or
// the leftover tail holds the maximum, a tie, a NaN or an infinity.
TEST(SamplerTest, ArgmaxMatchesAPlainScanAtEveryLength) {
  const auto plain = [](const std::vector<float>& v) {
    int32_t best = -1;
    for (size_t i = 0; i < v.size(); ++i) {
      if (!std::isnan(v[i]) && (best < 0 || v[i] > v[best])) best = static_cast<int32_t>(i);
    }
    return best;
  };
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> value(-4.0f, 4.0f);
  for (size_t n : {1u, 15u, 16u, 17u, 33u, 1000u, 128256u}) {
    for (int round = 0; round < 20; ++round) {
      std::vector<float> v(n);
      for (float& x : v) x = std::round(value(rng));  // few distinct values: many ties
      std::uniform_int_distribution<size_t> at(0, n - 1);
      for (size_t k = 0; k < n / 8 + 1; ++k) v[at(rng)] = NAN;
      if (round % 4 == 1) v[at(rng)] = INFINITY;
      if (round % 4 == 2) std::fill(v.begin(), v.end(), -INFINITY);
      if (round % 4 == 3) v[n - 1] = 100.0f;  // the tail past the whole lanes
      EXPECT_EQ(Argmax(v), plain(v)) << n << " values, round " << round;
    }
  }
  EXPECT_EQ(Argmax(std::vector<float>(40, NAN)), -1);
}

TEST(SamplerTest, SameSeedSameTokensDifferentSeedDifferentTokens) {
  std::vector<float> logits(1000);
  for (size_t i = 0; i < logits.size(); ++i) logits[i] = std::sin(static_cast<float>(i)) * 2.0f;
  auto run = [&](uint64_t seed) {
    SamplingParams p = Plain();
    p.seed = seed;
    auto s = Sampler::Create(p);
    std::vector<int32_t> out;
    for (int i = 0; i < 50; ++i) {
      std::vector<float> l = logits;
      out.push_back(*s->Sample(l, {}));
    }
    return out;
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
}

TEST(SamplerTest, FollowsTheSoftmaxDistribution) {
  // p = softmax([0, ln 2, ln 3, ln 4]) = [0.1, 0.2, 0.3, 0.4].
  std::vector<float> logits = {0.0f, std::log(2.0f), std::log(3.0f), std::log(4.0f)};
  const int n = 20000;
  auto counts = Histogram(Plain(), logits, n);
  for (int id = 0; id < 4; ++id) {
    double expected = 0.1 * (id + 1);
    double sd = std::sqrt(expected * (1 - expected) / n);
    EXPECT_NEAR(counts[id] / double(n), expected, 6 * sd) << "token " << id;
  }
}

TEST(SamplerTest, TemperatureSharpensAndFlattens) {
  std::vector<float> logits = {0.0f, 1.0f};
  const int n = 10000;
  SamplingParams cold = Plain();
  cold.temperature = 0.25f;  // p(1) = 1 / (1 + e^-4) = 0.982
  SamplingParams hot = Plain();
  hot.temperature = 4.0f;  // p(1) = 1 / (1 + e^-0.25) = 0.562
  EXPECT_NEAR(Histogram(cold, logits, n)[1] / double(n), 0.982, 0.01);
  EXPECT_NEAR(Histogram(hot, logits, n)[1] / double(n), 0.562, 0.03);
}

TEST(SamplerTest, TopKKeepsOnlyTheKBest) {
  std::vector<float> logits = {1.0f, 5.0f, 2.0f, 4.0f, 3.0f, 0.0f};
  SamplingParams p = Plain();
  p.top_k = 2;
  auto counts = Histogram(p, logits, 2000);
  for (const auto& [id, c] : counts) EXPECT_TRUE(id == 1 || id == 3) << id;
  EXPECT_GT(counts[3], 200);  // p(3) = 1 / (1 + e) = 0.27 of 2000
  p.top_k = 1;
  counts = Histogram(p, logits, 100);
  EXPECT_EQ(counts[1], 100);
}

TEST(SamplerTest, TopPKeepsTheSmallestNucleus) {
  // p = [0.4, 0.3, 0.2, 0.1]: top_p 0.6 keeps {0, 1}; 0.75 keeps {0, 1, 2}.
  std::vector<float> logits = {std::log(4.0f), std::log(3.0f), std::log(2.0f), 0.0f};
  SamplingParams p = Plain();
  p.top_p = 0.6f;
  auto counts = Histogram(p, logits, 4000);
  EXPECT_EQ(counts.count(2) + counts.count(3), 0u);
  EXPECT_NEAR(counts[0] / 4000.0, 4.0 / 7.0, 0.05);
  p.top_p = 0.75f;
  counts = Histogram(p, logits, 4000);
  EXPECT_EQ(counts.count(3), 0u);
  EXPECT_GT(counts[2], 0);
}

TEST(SamplerTest, TopPOnALargeVocabularyWithoutTopK) {
  // 152k tokens, one dominant block of 10 tokens holding ~99.9% of the mass.
  std::vector<float> logits(152064, 0.0f);
  for (int i = 0; i < 10; ++i) logits[static_cast<size_t>(5000 + i * 7)] = 20.0f;
  SamplingParams p = Plain();
  p.top_p = 0.9f;
  auto counts = Histogram(p, logits, 20);
  for (const auto& [id, c] : counts) {
    EXPECT_TRUE(id >= 5000 && id < 5070 && (id - 5000) % 7 == 0) << id;
  }
}

TEST(SamplerTest, MinPDropsUnlikelyTokens) {
  // p ∝ [8, 4, 1]; min_p 0.2 drops token 2 (1/8 < 0.2).
  std::vector<float> logits = {std::log(8.0f), std::log(4.0f), 0.0f};
  SamplingParams p = Plain();
  p.min_p = 0.2f;
  auto counts = Histogram(p, logits, 3000);
  EXPECT_EQ(counts.count(2), 0u);
  EXPECT_NEAR(counts[0] / 3000.0, 2.0 / 3.0, 0.05);
}

TEST(SamplerTest, RepetitionPenaltyDividesPositiveAndMultipliesNegative) {
  SamplingParams p = Plain();
  p.temperature = 0.0f;
  p.repetition_penalty = 2.0f;
  auto s = Sampler::Create(p);
  std::vector<float> l = {4.0f, -1.0f, 3.0f};
  std::vector<int32_t> history = {0, 1, 0, 99 /* out of vocabulary: ignored */};
  EXPECT_EQ(*s->Sample(l, history), 2);
  EXPECT_FLOAT_EQ(l[0], 2.0f);
  EXPECT_FLOAT_EQ(l[1], -2.0f);
  EXPECT_FLOAT_EQ(l[2], 3.0f);
}

TEST(SamplerTest, PresenceAndFrequencyPenaltiesCountOccurrences) {
  SamplingParams p = Plain();
  p.temperature = 0.0f;
  p.presence_penalty = 0.5f;
  p.frequency_penalty = 0.25f;
  auto s = Sampler::Create(p);
  std::vector<float> l = {1.0f, 1.0f, 1.0f};
  std::vector<int32_t> history = {0, 0, 0, 1};
  EXPECT_EQ(*s->Sample(l, history), 2);
  EXPECT_FLOAT_EQ(l[0], 1.0f - 0.5f - 3 * 0.25f);
  EXPECT_FLOAT_EQ(l[1], 1.0f - 0.5f - 0.25f);
  EXPECT_FLOAT_EQ(l[2], 1.0f);
}

TEST(SamplerTest, PenaltiesLookOnlyAtTheLastNTokens) {
  SamplingParams p = Plain();
  p.temperature = 0.0f;
  p.presence_penalty = 1.0f;
  p.penalty_last_n = 2;
  auto s = Sampler::Create(p);
  std::vector<float> l = {1.0f, 1.0f, 1.0f};
  std::vector<int32_t> history = {0, 1, 2, 2};  // only the last two (2, 2) count
  s->Sample(l, history).value();
  EXPECT_FLOAT_EQ(l[0], 1.0f);
  EXPECT_FLOAT_EQ(l[1], 1.0f);
  EXPECT_FLOAT_EQ(l[2], 0.0f);

  p.penalty_last_n = 0;  // disabled
  auto off = Sampler::Create(p);
  std::vector<float> l2 = {1.0f, 1.0f};
  off->Sample(l2, history).value();
  EXPECT_FLOAT_EQ(l2[0], 1.0f);

  p.penalty_last_n = -1;  // the whole history
  auto all = Sampler::Create(p);
  std::vector<float> l3 = {1.0f, 1.0f, 1.0f};
  all->Sample(l3, history).value();
  EXPECT_FLOAT_EQ(l3[0], 0.0f);
}

TEST(SamplerTest, NeverPicksATokenWithZeroProbability) {
  std::vector<float> logits = {0.0f, -INFINITY, 0.0f, -INFINITY};
  auto counts = Histogram(Plain(), logits, 1000);
  EXPECT_EQ(counts.count(1) + counts.count(3), 0u);
  EXPECT_GT(counts[0], 350);
  EXPECT_GT(counts[2], 350);
}

}  // namespace
}  // namespace hfd::sampling
