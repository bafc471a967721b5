// The prefix cache of a SequenceBatch (engine/runtime/sequence_batch.h): a sequence that
// starts with a cached 200-token prefix computes only its own tokens and gets bit for bit
// the logits computed without the cache; a full pool evicts cached blocks, least recently
// used first, without false hits; a Rewind into a shared block recomputes it; a sliding
// window model shares too; and a BatchedSession takes the cache on its own.
#include <gtest/gtest.h>

#include <cstring>

#include "engine/model/synthetic_gguf.h"
#include "engine/runtime/sequence_batch.h"
#include "engine/runtime/shared_batch.h"
#include "tests/cpu/model_harness.h"
#include "tests/cpu/tiny_mistral.h"
#include "tests/support/fixtures.h"

namespace hfd::testing {
namespace {

using runtime::SequenceBatch;
using Tokens = std::vector<int32_t>;

Tokens Concat(const Tokens& a, const Tokens& b) {
  Tokens out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

std::unique_ptr<SequenceBatch> NewBatch(LoadedModel& m, int32_t n_blocks, int32_t block_size = 16) {
  auto batch = SequenceBatch::Create(
      *m.backend, *m.files,
      {.n_ctx = 512, .block_size = block_size, .n_blocks = n_blocks, .max_step_tokens = 256});
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return batch.ok() ? std::move(batch).value() : nullptr;
}

// The logits rows of `seq` after feeding `tokens` and then `decode` greedy tokens.
std::vector<std::vector<float>> Rows(SequenceBatch& b, SequenceBatch::SeqId seq,
                                     const Tokens& tokens, int decode) {
  std::vector<std::vector<float>> rows;
  Tokens next = tokens;
  for (int i = 0; i <= decode; ++i) {
    const SequenceBatch::Feed feed[] = {{seq, next}};
    Result<std::span<const float>> logits = b.Step(feed);
    EXPECT_TRUE(logits.ok()) << logits.status().ToString();
    if (!logits.ok()) break;
    rows.emplace_back(logits->begin(), logits->end());
    next = {ArgmaxOf(rows.back())};
  }
  return rows;
}

// What a fresh batch computes for `tokens` (no cache to find).
std::vector<std::vector<float>> Uncached(LoadedModel& m, const Tokens& tokens, int decode,
                                         int32_t block_size = 16) {
  std::unique_ptr<SequenceBatch> fresh = NewBatch(m, 64, block_size);
  if (fresh == nullptr) return {};
  return Rows(*fresh, fresh->Open(), tokens, decode);
}

bool SameBits(const std::vector<std::vector<float>>& a, const std::vector<std::vector<float>>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != b[i].size() ||
        std::memcmp(a[i].data(), b[i].data(), a[i].size() * sizeof(float)) != 0) {
      return false;
    }
  }
  return true;
}

// Attaches what the cache holds of `tokens` to a new sequence and computes the rest;
// `reused` receives the attached count.
std::vector<std::vector<float>> WithCache(SequenceBatch& b, SequenceBatch::SeqId seq,
                                          const Tokens& tokens, int decode, int32_t& reused) {
  reused = b.AttachCachedPrefix(seq, tokens);
  return Rows(b, seq, Tokens(tokens.begin() + reused, tokens.end()), decode);
}

class PrefixCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HFD_REQUIRE_FIXTURES(fixtures);
    m_ = LoadOnCpu(fixtures / "gguf/tiny-llama2-Q4_K_M.gguf", 2);
    ASSERT_NE(m_.files, nullptr);
    vocab_ = m_.files->desc().n_vocab;
  }
  LoadedModel m_;
  int64_t vocab_ = 0;
};

TEST_F(PrefixCacheTest, SecondSequenceComputesOnlyItsOwnTokens) {
  const Tokens system = model::RandomTokens(200, vocab_, 1);
  const Tokens first = Concat(system, model::RandomTokens(7, vocab_, 2));
  const Tokens second = Concat(system, model::RandomTokens(9, vocab_, 3));
  std::unique_ptr<SequenceBatch> b = NewBatch(m_, 64);
  ASSERT_NE(b, nullptr);
  const SequenceBatch::SeqId a = b->Open();
  EXPECT_EQ(b->AttachCachedPrefix(a, first), 0) << "nothing is cached yet";
  Rows(*b, a, first, 0);
  EXPECT_EQ(b->stats().computed_tokens, 207);

  // The first sequence still runs: the 12 full blocks of the system prompt are shared.
  const SequenceBatch::SeqId s = b->Open();
  int32_t reused = 0;
  const auto rows = WithCache(*b, s, second, 3, reused);
  EXPECT_EQ(reused, 192);
  EXPECT_EQ(b->position(s), static_cast<int32_t>(second.size()) + 3);
  const runtime::BatchStats stats = b->stats();
  EXPECT_EQ(stats.computed_tokens, 207 + 17 + 3) << "only its own tokens are computed";
  EXPECT_EQ(stats.reused_tokens, 192);
  EXPECT_EQ(stats.prefix_lookups, 2);
  EXPECT_EQ(stats.prefix_hits, 1);
  EXPECT_EQ(stats.kv_blocks_used, 13 + 2) << "the shared blocks count once";
  EXPECT_TRUE(SameBits(rows, Uncached(m_, second, 3))) << "the cache changes no bit";

  // Closed, the blocks stay cached for the next one.
  b->Close(a);
  b->Close(s);
  EXPECT_EQ(b->pool().free_blocks(), 64);
  EXPECT_EQ(b->pool().cached_blocks(), 12 + 1);  // the system prompt, then `second`'s 13th
  const SequenceBatch::SeqId t = b->Open();
  EXPECT_EQ(WithCache(*b, t, first, 0, reused).size(), 1U);
  EXPECT_EQ(reused, 192);
}

TEST_F(PrefixCacheTest, FullPoolEvictsLeastRecentlyUsedWithoutFalseHits) {
  std::unique_ptr<SequenceBatch> b = NewBatch(m_, 8);
  ASSERT_NE(b, nullptr);
  const Tokens old = model::RandomTokens(64, vocab_, 4);
  const SequenceBatch::SeqId a = b->Open();
  Rows(*b, a, old, 0);
  b->Close(a);
  EXPECT_EQ(b->pool().cached_blocks(), 4);
  EXPECT_EQ(b->pool().free_blocks(), 8) << "cached blocks count as free";

  // 100 new positions take the 4 unused blocks and evict 3 of the cached chain's, its
  // end first; their block numbers now hold other tokens.
  const SequenceBatch::SeqId c = b->Open();
  Rows(*b, c, model::RandomTokens(100, vocab_, 5), 0);
  EXPECT_EQ(b->pool().used_blocks(), 7);
  EXPECT_EQ(b->pool().cached_blocks(), 1);
  b->Close(c);
  EXPECT_EQ(b->pool().cached_blocks(), 7);

  const SequenceBatch::SeqId d = b->Open();
  int32_t reused = 0;
  const Tokens again = Concat(old, {7});
  const auto rows = WithCache(*b, d, again, 0, reused);
  EXPECT_EQ(reused, 16) << "only the chain's first block is left";
  EXPECT_TRUE(SameBits(rows, Uncached(m_, again, 0)));
  EXPECT_EQ(b->pool().used_blocks(), 5);
  EXPECT_EQ(b->pool().cached_blocks(), 3) << "the 4 blocks came from the unused one and 3 cached";

  // Every block is either held or cached: a step that needs more than the cached ones waits.
  const SequenceBatch::SeqId e = b->Open();
  const SequenceBatch::Feed more[] = {{e, old}};
  Result<std::span<const float>> refused = b->Step(more);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kBusy) << refused.status().ToString();
}

TEST_F(PrefixCacheTest, RewindIntoASharedBlockRecomputesIt) {
  std::unique_ptr<SequenceBatch> b = NewBatch(m_, 32);
  ASSERT_NE(b, nullptr);
  const Tokens prompt = model::RandomTokens(40, vocab_, 6);
  const Tokens tail = model::RandomTokens(5, vocab_, 7);
  const SequenceBatch::SeqId a = b->Open();
  Rows(*b, a, prompt, 0);
  const SequenceBatch::SeqId s = b->Open();
  int32_t reused = 0;
  WithCache(*b, s, Concat(prompt, tail), 0, reused);
  ASSERT_EQ(reused, 32);

  // Position 20 is inside the second block, which `a` holds too: `s` goes back to 16.
  ASSERT_TRUE(b->Rewind(s, 20).ok());
  EXPECT_EQ(b->position(s), 16);
  const Tokens first20(prompt.begin(), prompt.begin() + 20);
  const auto rewound =
      Rows(*b, s, Concat(Tokens(prompt.begin() + 16, prompt.begin() + 20), tail), 2);
  EXPECT_TRUE(SameBits(rewound, Uncached(m_, Concat(first20, tail), 2)));
  // `a`'s blocks were not written to.
  const auto continued = Rows(*b, a, tail, 2);
  EXPECT_TRUE(SameBits(continued, Uncached(m_, Concat(prompt, tail), 2)));

  // Held by `a` alone, the block leaves the cache and `a` writes into it in place.
  b->Close(s);
  ASSERT_TRUE(b->Rewind(a, 20).ok());
  EXPECT_EQ(b->position(a), 20);
  EXPECT_TRUE(SameBits(Rows(*b, a, tail, 2), Uncached(m_, Concat(first20, tail), 2)));
  const SequenceBatch::SeqId t = b->Open();
  EXPECT_EQ(b->AttachCachedPrefix(t, Concat(prompt, tail)), 16)
      << "the overwritten block is no longer cached";
}

TEST(PrefixCacheSlidingWindowTest, SharedPrefixMatchesUncached) {
  // Attention of a sliding window reads the cached positions it needs through the block
  // table like any other; the K/V of a position do not depend on the window's start.
  TinyMistralConfig config;
  TinyMistral model(config, 42);
  TempDir dir;
  model.WriteHfDir(dir.path());
  LoadedModel m = LoadOnCpu(dir.path(), 2);
  ASSERT_NE(m.files, nullptr);
  ASSERT_GT(m.files->desc().sliding_window, 0);
  const Tokens prompt = model::RandomTokens(40, config.vocab, 8);
  std::unique_ptr<SequenceBatch> b = NewBatch(m, 32, 8);
  ASSERT_NE(b, nullptr);
  Rows(*b, b->Open(), prompt, 0);
  const Tokens other = Concat(prompt, model::RandomTokens(3, config.vocab, 9));
  int32_t reused = 0;
  const auto rows = WithCache(*b, b->Open(), other, 4, reused);
  EXPECT_EQ(reused, 40);
  EXPECT_TRUE(SameBits(rows, Uncached(m, other, 4, 8)));
}

// Two conversations of a SharedBatch, one after the other, whose prompts start with the
// same 200-token system prompt (the first closes before the second feeds).
struct TwoConversations {
  int64_t second_reused = -1;           // its BatchedSession::reused_prefix_tokens()
  bool second_equals_uncached = false;  // its logits, bit for bit
  int32_t cached_between = -1;          // blocks kept for the cache after the first closed
  runtime::BatchStats stats;            // after the second
  size_t tokens_fed = 0;                // by both
};

TwoConversations RunTwoConversations(LoadedModel& m, int64_t vocab, bool prefix_cache) {
  TwoConversations out;
  auto shared = runtime::SharedBatch::Create(*m.backend, *m.files,
                                             {.batch = {.n_ctx = 512,
                                                        .block_size = 16,
                                                        .n_blocks = 64,
                                                        .max_step_tokens = 64,
                                                        .prefix_cache = prefix_cache},
                                              .chunk_tokens = 48});
  EXPECT_TRUE(shared.ok()) << shared.status().ToString();
  if (!shared.ok()) return out;
  const Tokens system = model::RandomTokens(200, vocab, 10);
  const Tokens first = Concat(system, model::RandomTokens(4, vocab, 12));
  const Tokens question = Concat(system, model::RandomTokens(6, vocab, 11));
  {
    std::unique_ptr<runtime::BatchedSession> session = (*shared)->NewSession();
    EXPECT_TRUE(session->Feed(first).ok());
  }
  out.cached_between = (*shared)->stats().kv_blocks_cached;
  std::unique_ptr<runtime::BatchedSession> second = (*shared)->NewSession();
  Result<std::span<const float>> logits = second->Feed(question);
  EXPECT_TRUE(logits.ok()) << logits.status().ToString();
  if (!logits.ok()) return out;
  EXPECT_EQ(second->position(), static_cast<int32_t>(question.size()));
  out.second_reused = second->reused_prefix_tokens();
  const std::vector<std::vector<float>> got{{logits->begin(), logits->end()}};
  out.second_equals_uncached = SameBits(got, Uncached(m, question, 0));
  out.stats = (*shared)->stats();
  out.tokens_fed = first.size() + question.size();
  return out;
}

TEST_F(PrefixCacheTest, BatchedSessionTakesTheCache) {
  const TwoConversations run = RunTwoConversations(m_, vocab_, true);
  EXPECT_EQ(run.second_reused, 192);
  EXPECT_TRUE(run.second_equals_uncached);
  EXPECT_EQ(run.stats.prefix_hits, 1);
  EXPECT_EQ(run.stats.reused_tokens, 192);
  EXPECT_EQ(run.stats.kv_blocks_used, 13);
  EXPECT_EQ(run.stats.kv_blocks_total, 64);
}

TEST_F(PrefixCacheTest, SwitchedOffEverySequenceComputesAllItsTokens) {
  const TwoConversations run = RunTwoConversations(m_, vocab_, false);
  EXPECT_EQ(run.cached_between, 0) << "nothing is kept for others";
  EXPECT_EQ(run.second_reused, 0);
  EXPECT_TRUE(run.second_equals_uncached);
  EXPECT_EQ(run.stats.prefix_lookups, 0);
  EXPECT_EQ(run.stats.prefix_hits, 0);
  EXPECT_EQ(run.stats.reused_tokens, 0);
  EXPECT_EQ(run.stats.computed_tokens, static_cast<int64_t>(run.tokens_fed));
}

}  // namespace
}  // namespace hfd::testing
