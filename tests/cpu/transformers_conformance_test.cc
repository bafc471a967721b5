// The forward pass of each fixture model, loaded from its Hugging Face safetensors, against
// transformers' float32 results (fixtures/reference/transformers.json): the prompt's top-5
// logits at every position within 1e-2, and the 16 greedy tokens.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include <nlohmann/json.hpp>

#include "tests/cpu/model_harness.h"
#include "tests/support/fixtures.h"

namespace hfd::testing {
namespace {

constexpr double kLogitTolerance = 1e-2;

class TransformersConformance : public ::testing::TestWithParam<const char*> {};

TEST_P(TransformersConformance, PromptLogitsAndGreedyTokens) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const std::string name = GetParam();
  const nlohmann::json ref =
      nlohmann::json::parse(ReadFileOrFail(fixtures / "reference/transformers.json"))[name];
  LoadedModel m = LoadOnCpu(fixtures / "models" / name);
  ASSERT_NE(m.files, nullptr);
  auto session = m.NewSession(/*n_ctx=*/128, /*batch=*/4);  // small batch: several chunks
  ASSERT_NE(session, nullptr);

  double max_error = 0.0;
  for (const auto& prompt : ref["prompts"]) {
    const auto ids = prompt["input_ids"].get<std::vector<int32_t>>();
    ASSERT_TRUE(session->Rewind(0).ok());
    auto all = session->FeedAll(ids);
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    const int64_t vocab = session->n_vocab();
    for (size_t p = 0; p < ids.size(); ++p) {
      const auto top_ids = prompt["prefill_top5_ids"][p].get<std::vector<int32_t>>();
      const auto top_logits = prompt["prefill_top5_logits"][p].get<std::vector<double>>();
      for (size_t k = 0; k < top_ids.size(); ++k) {
        const double ours = (*all)[p * vocab + top_ids[k]];
        max_error = std::max(max_error, std::abs(ours - top_logits[k]));
        EXPECT_NEAR(ours, top_logits[k], kLogitTolerance)
            << name << " \"" << prompt["prompt"].get<std::string>() << "\" position " << p
            << " rank " << k;
      }
    }

    // Greedy: the first token from the prefill's logits, then the argmax decode graph.
    ASSERT_TRUE(session->Rewind(0).ok());
    auto logits = session->Feed(ids);
    ASSERT_TRUE(logits.ok()) << logits.status().ToString();
    int32_t next = ArgmaxOf(*logits);
    const auto expected = prompt["greedy_ids"].get<std::vector<int32_t>>();
    for (size_t step = 0; step < expected.size(); ++step) {
      if (next != expected[step]) {
        const auto& top = prompt["steps"][step]["top_logits"];
        const double gap = top[0].get<double>() - top[1].get<double>();
        // A departure is only acceptable where the reference itself nearly ties.
        EXPECT_LT(gap, 2 * kLogitTolerance)
            << name << " \"" << prompt["prompt"].get<std::string>() << "\" greedy step " << step
            << ": got " << next << ", expected " << expected[step];
        std::cout << name << ": greedy departs at step " << step << " (reference top-2 gap " << gap
                  << ")\n";
        break;
      }
      auto id = session->FeedGreedy(next);
      ASSERT_TRUE(id.ok()) << id.status().ToString();
      next = *id;
    }
  }
  std::cout << name << ": max |logit - transformers| over top-5 = " << max_error << "\n";
  RecordProperty("max_logit_error", std::to_string(max_error));
}

INSTANTIATE_TEST_SUITE_P(Models, TransformersConformance,
                         ::testing::Values("tiny-llama2", "tiny-llama3", "tiny-qwen2",
                                           "tiny-qwen3"),
                         [](const auto& info) {
                           std::string s = info.param;
                           std::replace(s.begin(), s.end(), '-', '_');
                           return s;
                         });

}  // namespace
}  // namespace hfd::testing
