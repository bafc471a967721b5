// The whole forward pass on a tiny random Mistral written to a temporary Hugging Face
// directory, against a float64 implementation of our own (tiny_mistral.h): sliding-window
// attention over sequences several windows long, in prefill batches and in single-token
// decode, and the same results with 1 or 2 threads. Needs no fixtures.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/model/synthetic_gguf.h"
#include "tests/cpu/model_harness.h"
#include "tests/cpu/tiny_mistral.h"
#include "tests/support/fixtures.h"

namespace hfd::testing {
namespace {

constexpr int kSequence = 40;  // over six windows of 6

double MaxDiff(std::span<const float> ours, std::span<const double> ref) {
  double worst = 0.0;
  for (size_t i = 0; i < ours.size(); ++i) worst = std::max(worst, std::abs(ours[i] - ref[i]));
  return worst;
}

class ForwardPassTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_.WriteHfDir(dir_.path());
    tokens_ = model::RandomTokens(kSequence, config_.vocab, 7);
    reference_ = model_.ReferenceLogits(tokens_);
  }

  TinyMistralConfig config_;
  TinyMistral model_{config_, 42};
  TempDir dir_;
  std::vector<int32_t> tokens_;
  std::vector<double> reference_;
};

TEST_F(ForwardPassTest, TheWindowChangesTheReference) {
  // Guards the test itself: with an unlimited window the logits must differ clearly.
  TinyMistralConfig wide = config_;
  wide.sliding_window = 1 << 20;
  const std::vector<double> full = TinyMistral(wide, 42).ReferenceLogits(tokens_);
  double diff = 0.0;
  for (size_t i = 0; i < full.size(); ++i) diff = std::max(diff, std::abs(full[i] - reference_[i]));
  EXPECT_GT(diff, 0.1);
}

TEST_F(ForwardPassTest, SlidingWindowPrefillMatchesFloat64Reference) {
  LoadedModel m = LoadOnCpu(dir_.path(), 2);
  ASSERT_NE(m.files, nullptr);
  ASSERT_EQ(m.files->desc().sliding_window, config_.sliding_window);
  for (auto [kv, tol] : {std::pair{runtime::KvType::kF32, 1e-4}, {runtime::KvType::kF16, 5e-3}}) {
    auto session = m.NewSession(64, 8, kv);
    ASSERT_NE(session, nullptr);
    auto all = session->FeedAll(tokens_);
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    EXPECT_LT(MaxDiff(*all, reference_), tol);
  }
}

TEST_F(ForwardPassTest, SlidingWindowDecodeMatchesFloat64Reference) {
  LoadedModel m = LoadOnCpu(dir_.path(), 2);
  ASSERT_NE(m.files, nullptr);
  auto session = m.NewSession(64, 8, runtime::KvType::kF32);
  ASSERT_NE(session, nullptr);
  const int prompt = 5;
  auto logits = session->Feed(std::span(tokens_).first(prompt));
  ASSERT_TRUE(logits.ok()) << logits.status().ToString();
  const size_t vocab = config_.vocab;
  for (int t = prompt; t <= kSequence; ++t) {
    EXPECT_LT(MaxDiff(*logits, std::span(reference_).subspan((t - 1) * vocab, vocab)), 1e-4)
        << "after token " << t;
    if (t == kSequence) break;
    logits = session->Feed(std::span(tokens_).subspan(t, 1));
    ASSERT_TRUE(logits.ok()) << logits.status().ToString();
  }
  // The argmax decode graph agrees with the logits graph.
  ASSERT_TRUE(session->Rewind(kSequence - 1).ok());
  auto id = session->FeedGreedy(tokens_.back());
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, ArgmaxOf(*logits));
}

TEST_F(ForwardPassTest, ThreadCountDoesNotChangeResults) {
  std::vector<float> results[2];
  for (int threads : {1, 2}) {
    LoadedModel m = LoadOnCpu(dir_.path(), threads);
    ASSERT_NE(m.files, nullptr);
    auto all = m.NewSession(64, 16)->FeedAll(tokens_);
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    results[threads - 1] = std::move(*all);
  }
  ASSERT_EQ(results[0].size(), results[1].size());
  for (size_t i = 0; i < results[0].size(); ++i) {
    ASSERT_NEAR(results[0][i], results[1][i], 1e-5) << i;
  }
}

TEST_F(ForwardPassTest, RejectsCallsThatDoNotFit) {
  LoadedModel m = LoadOnCpu(dir_.path(), 1);
  ASSERT_NE(m.files, nullptr);
  auto session = m.NewSession(16, 8);
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(session->Feed(tokens_).status().code(), ErrorCode::kInvalidArgument);  // 40 > 16
  const int32_t bad = config_.vocab;
  EXPECT_EQ(session->Feed(std::span(&bad, 1)).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(session->Rewind(3).code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace hfd::testing
