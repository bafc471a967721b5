#include "tests/cpu/generator_logprobs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "engine/model/model_files.h"
#include "engine/runtime/generator.h"
#include "engine/runtime/session.h"
#include "engine/tokenizer/tokenizer.h"

namespace hfd::testing {
namespace {

constexpr double kTolerance = 1e-4;
constexpr int32_t kTokens = 8;

// Log-softmax of a logits row, in double.
std::vector<double> LogSoftmax(std::span<const float> row) {
  double max = -INFINITY;
  for (float v : row) max = std::max<double>(max, v);
  double sum = 0;
  for (float v : row) sum += std::exp(v - max);
  std::vector<double> out(row.size());
  for (size_t i = 0; i < row.size(); ++i) out[i] = row[i] - max - std::log(sum);
  return out;
}

struct Run {
  std::vector<int32_t> tokens;
  std::vector<runtime::TokenLogprobs> logprobs;
  int sink_calls_with_logprobs = 0;
};

Run Generate(runtime::Session& session, const tok::Tokenizer& tokenizer,
             const runtime::GenerateRequest& request) {
  Run run;
  EXPECT_TRUE(session.Rewind(0).ok());
  auto result = runtime::Generate(
      session, tokenizer, request,
      [&](std::string_view, int32_t token, const runtime::TokenLogprobs* logprobs) {
        if (logprobs != nullptr) {
          EXPECT_EQ(logprobs->chosen.id, token);
          ++run.sink_calls_with_logprobs;
        }
        return true;
      });
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (!result.ok()) return run;
  run.tokens = result->tokens;
  run.logprobs = result->logprobs;
  return run;
}

// Each generated token's logprobs against log-softmax of the logits at its position,
// teacher-forced as decoding feeds them (the prompt, then one token at a time): a backend's
// batched graph (FeedAll) rounds its matmuls differently, by up to ~3e-4 on lavapipe.
void ExpectLogSoftmax(runtime::Session& session, const tok::Tokenizer& tokenizer,
                      const std::vector<int32_t>& prompt, const Run& run, int32_t n_top) {
  ASSERT_EQ(run.logprobs.size(), run.tokens.size());
  ASSERT_TRUE(session.Rewind(0).ok());
  for (size_t i = 0; i < run.tokens.size(); ++i) {
    SCOPED_TRACE(::testing::Message() << "generated token " << i);
    auto logits = i == 0 ? session.Feed(prompt)
                         : session.Feed(std::span<const int32_t>(&run.tokens[i - 1], 1));
    ASSERT_TRUE(logits.ok()) << logits.status().ToString();
    const std::vector<double> want = LogSoftmax(*logits);
    const runtime::TokenLogprobs& got = run.logprobs[i];
    EXPECT_EQ(got.chosen.id, run.tokens[i]);
    EXPECT_EQ(got.chosen.piece, tokenizer.TokenToPiece(run.tokens[i]));
    EXPECT_NEAR(got.chosen.logprob, want[run.tokens[i]], kTolerance);
    ASSERT_EQ(got.top.size(), static_cast<size_t>(n_top));
    for (size_t j = 0; j < got.top.size(); ++j) {
      EXPECT_NEAR(got.top[j].logprob, want[got.top[j].id], kTolerance);
      if (j > 0) {
        EXPECT_LE(got.top[j].logprob, got.top[j - 1].logprob);
      }
    }
    // Nothing outside the list beats its last entry.
    size_t better = 0;
    for (double lp : want) better += lp > got.top.back().logprob + kTolerance ? 1 : 0;
    EXPECT_LT(better, got.top.size());
    EXPECT_LE(got.chosen.logprob, got.top[0].logprob + kTolerance);
  }
}

}  // namespace

void CheckGeneratorLogprobs(runtime::Backend& backend, const std::filesystem::path& model) {
  auto files = model::OpenModelFiles(model);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  auto tokenizer = tok::Tokenizer::FromPath(model);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  ASSERT_TRUE(backend.LoadWeights(**files).ok());
  auto session = runtime::Session::Create(backend, **files, {.n_ctx = 128, .prefill_batch = 8});
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  runtime::Session& s = **session;
  const tok::Tokenizer& tk = **tokenizer;

  runtime::GenerateRequest request;
  request.prompt = tk.Encode("The quick brown fox jumps over", true);
  request.params.max_tokens = kTokens;

  // Greedy: the argmax graph without logprobs, the top-logits graph with them.
  request.params.temperature = 0;
  const Run plain = Generate(s, tk, request);
  request.top_logprobs = 5;
  const Run greedy = Generate(s, tk, request);
  EXPECT_EQ(greedy.tokens, plain.tokens);
  EXPECT_EQ(greedy.sink_calls_with_logprobs, static_cast<int>(greedy.tokens.size()));
  for (const runtime::TokenLogprobs& t : greedy.logprobs) {
    ASSERT_FALSE(t.top.empty());
    EXPECT_EQ(t.top[0].id, t.chosen.id);
  }
  ExpectLogSoftmax(s, tk, request.prompt, greedy, 5);

  // Seeded sampling with penalties (which change the sampler's copy of the logits): the
  // logprobs describe the raw logits.
  request.params.temperature = 1.5f;
  request.params.presence_penalty = 1.5f;
  request.params.repetition_penalty = 1.3f;
  request.params.top_k = 0;
  request.params.top_p = 1.0f;
  request.params.min_p = 0.0f;
  request.params.seed = 1234;
  request.top_logprobs.reset();
  const Run sampled_plain = Generate(s, tk, request);
  request.top_logprobs = 3;
  const Run sampled = Generate(s, tk, request);
  EXPECT_EQ(sampled.tokens, sampled_plain.tokens);
  ExpectLogSoftmax(s, tk, request.prompt, sampled, 3);

  // No alternatives: only the chosen token's logprob.
  request.top_logprobs = 0;
  const Run bare = Generate(s, tk, request);
  ASSERT_EQ(bare.logprobs.size(), bare.tokens.size());
  for (const runtime::TokenLogprobs& t : bare.logprobs) EXPECT_TRUE(t.top.empty());

  request.top_logprobs = 21;
  ASSERT_TRUE(s.Rewind(0).ok());
  auto refused = runtime::Generate(s, tk, request, [](auto...) { return true; });
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("top_logprobs"), std::string::npos);
}

}  // namespace hfd::testing
