// Continuous batching on the CPU (engine/runtime/sequence_batch.h): eight sequences with
// different prompts and lengths, joining and leaving at different steps, decoded together
// one forward call per step, give bit for bit the logits (so the greedy tokens) of the
// same sequences run alone through a Session; and the KV pool refuses what does not fit,
// changes nothing then, and gets its blocks back when sequences close. Conversations on
// threads whose KV does not fit the pool together wait for blocks and still get what they
// get alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstring>
#include <functional>
#include <future>
#include <thread>

#include "engine/model/synthetic_gguf.h"
#include "engine/runtime/sequence_batch.h"
#include "engine/runtime/shared_batch.h"
#include "tests/cpu/model_harness.h"
#include "tests/support/fixtures.h"

namespace hfd::testing {
namespace {

using runtime::SequenceBatch;

struct Plan {
  int prompt_len;
  int generate;  // greedy tokens after the prompt
  int join;      // the step whose call carries the prompt
};

constexpr Plan kPlans[] = {{3, 6, 0}, {17, 3, 0}, {5, 10, 1}, {33, 4, 2},
                           {9, 8, 2}, {1, 12, 4}, {24, 5, 5}, {12, 7, 7}};

bool SameBits(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

// What one sequence computes alone: the logits row before each generated token.
std::vector<std::vector<float>> RunAlone(LoadedModel& m, const std::vector<int32_t>& prompt,
                                         int generate) {
  std::unique_ptr<runtime::Session> session = m.NewSession(512, 16);
  std::vector<std::vector<float>> rows;
  Result<std::span<const float>> logits = session->Feed(prompt);
  for (int i = 0; i < generate; ++i) {
    EXPECT_TRUE(logits.ok()) << logits.status().ToString();
    if (!logits.ok()) return rows;
    rows.emplace_back(logits->begin(), logits->end());
    if (i + 1 < generate) logits = session->Feed(std::vector<int32_t>{ArgmaxOf(rows.back())});
  }
  return rows;
}

void ExpectBatchedEqualsAlone(const std::filesystem::path& path) {
  SCOPED_TRACE(path.filename().string());
  LoadedModel m = LoadOnCpu(path, 2);
  ASSERT_NE(m.files, nullptr);
  const int64_t vocab = m.files->desc().n_vocab;
  std::vector<std::vector<int32_t>> prompts;
  std::vector<std::vector<std::vector<float>>> alone;
  for (size_t i = 0; i < std::size(kPlans); ++i) {
    prompts.push_back(model::RandomTokens(kPlans[i].prompt_len, vocab, 100 + i));
    alone.push_back(RunAlone(m, prompts.back(), kPlans[i].generate));
  }

  auto batch = SequenceBatch::Create(
      *m.backend, *m.files,
      {.n_ctx = 512, .block_size = 16, .n_blocks = 32, .max_step_tokens = 128});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  SequenceBatch& b = **batch;
  struct Running {
    size_t plan;
    SequenceBatch::SeqId id;
    std::vector<int32_t> next;  // tokens of its next feed
    int done = 0;               // logits rows checked
  };
  std::vector<Running> running;
  size_t finished = 0;
  for (int step = 0; finished < std::size(kPlans); ++step) {
    ASSERT_LT(step, 100) << "the schedule does not end";
    for (size_t i = 0; i < std::size(kPlans); ++i) {
      if (kPlans[i].join == step) running.push_back({i, b.Open(), prompts[i]});
    }
    if (running.empty()) continue;
    std::vector<SequenceBatch::Feed> feeds;
    feeds.reserve(running.size());
    for (const Running& r : running) feeds.push_back({r.id, r.next});
    auto logits = b.Step(feeds);
    ASSERT_TRUE(logits.ok()) << "step " << step << ": " << logits.status().ToString();
    ASSERT_EQ(logits->size(), running.size() * vocab);
    for (size_t k = 0; k < running.size(); ++k) {
      Running& r = running[k];
      const auto row = logits->subspan(k * vocab, vocab);
      EXPECT_TRUE(SameBits(row, alone[r.plan][r.done]))
          << "sequence " << r.plan << ", generated token " << r.done << ", step " << step
          << ": batched argmax " << ArgmaxOf(row) << ", alone " << ArgmaxOf(alone[r.plan][r.done]);
      r.next = {ArgmaxOf(row)};
      ++r.done;
    }
    for (auto it = running.begin(); it != running.end();) {
      if (it->done == kPlans[it->plan].generate) {
        b.Close(it->id);
        ++finished;
        it = running.erase(it);
      } else {
        ++it;
      }
    }
  }
  EXPECT_EQ(b.pool().free_blocks(), b.pool().n_blocks()) << "closing gives every block back";
}

TEST(BatchedDecodeTest, BatchedEqualsAloneLlamaQ4KM) {
  HFD_REQUIRE_FIXTURES(fixtures);
  ExpectBatchedEqualsAlone(fixtures / "gguf/tiny-llama2-Q4_K_M.gguf");
}

TEST(BatchedDecodeTest, BatchedEqualsAloneQwen2Q8) {
  HFD_REQUIRE_FIXTURES(fixtures);
  ExpectBatchedEqualsAlone(fixtures / "gguf/tiny-qwen2-Q8_0.gguf");
}

TEST(BatchedDecodeTest, FullPoolRefusesAndClosingFreesBlocks) {
  HFD_REQUIRE_FIXTURES(fixtures);
  LoadedModel m = LoadOnCpu(fixtures / "gguf/tiny-llama2-Q4_K_M.gguf", 2);
  ASSERT_NE(m.files, nullptr);
  auto batch = SequenceBatch::Create(
      *m.backend, *m.files,
      {.n_ctx = 512, .block_size = 16, .n_blocks = 4, .max_step_tokens = 128});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  SequenceBatch& b = **batch;
  const std::vector<int32_t> forty = model::RandomTokens(40, m.files->desc().n_vocab, 1);
  const std::vector<int32_t> twenty(forty.begin(), forty.begin() + 20);

  const SequenceBatch::SeqId a = b.Open();
  const SequenceBatch::Feed feed_a[] = {{a, forty}};
  ASSERT_TRUE(b.Step(feed_a).ok());
  EXPECT_EQ(b.pool().free_blocks(), 1);  // 40 positions: 3 blocks of 16

  const SequenceBatch::SeqId c = b.Open();
  const SequenceBatch::Feed feed_c[] = {{c, twenty}};
  Result<std::span<const float>> refused = b.Step(feed_c);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kBusy) << refused.status().ToString();
  EXPECT_EQ(b.position(c), 0);
  EXPECT_EQ(b.pool().free_blocks(), 1) << "a refused step reserves nothing";

  b.Close(a);
  EXPECT_EQ(b.pool().free_blocks(), 4);
  ASSERT_TRUE(b.Step(feed_c).ok());
  const SequenceBatch::Feed more_c[] = {{c, forty}};
  ASSERT_TRUE(b.Step(more_c).ok());  // 60 positions: all 4 blocks
  EXPECT_EQ(b.pool().free_blocks(), 0);
  const SequenceBatch::Feed beyond[] = {{c, twenty}};  // 80 positions: 5 blocks
  Result<std::span<const float>> too_large = b.Step(beyond);
  ASSERT_FALSE(too_large.ok());
  EXPECT_EQ(too_large.status().code(), ErrorCode::kTooLarge) << too_large.status().ToString();
  EXPECT_EQ(b.position(c), 60);
}

// Greedy tokens of `session` after `prompt`: the first from Feed's logits, then FeedGreedy.
std::vector<int32_t> Greedy(runtime::TokenSession& session, const std::vector<int32_t>& prompt,
                            int generate) {
  std::vector<int32_t> out;
  Result<std::span<const float>> logits = session.Feed(prompt);
  if (!logits.ok()) return {-1};
  out.push_back(ArgmaxOf(*logits));
  while (static_cast<int>(out.size()) < generate) {
    Result<int32_t> next = session.FeedGreedy(out.back());
    if (!next.ok()) return {-1};
    out.push_back(*next);
  }
  return out;
}

// Four conversations on their own threads in one SharedBatch of the model at `path` made
// with `options`, the i-th with a prompt of prompt_len(i) tokens and generate(i) greedy
// tokens, get what each gets alone; then, all idle, each rewinds to its prompt's last
// token and gets it again.
void ExpectThreadsEqualAlone(const std::filesystem::path& path,
                             const runtime::SharedBatchOptions& options,
                             const std::function<int(int)>& prompt_len,
                             const std::function<int(int)>& generate, uint32_t seed) {
  LoadedModel m = LoadOnCpu(path, 2);
  ASSERT_NE(m.files, nullptr);
  const int64_t vocab = m.files->desc().n_vocab;
  auto shared = runtime::SharedBatch::Create(*m.backend, *m.files, options);
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  constexpr int kThreads = 4;
  std::vector<std::vector<int32_t>> prompts, alone(kThreads), batched(kThreads), again(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    prompts.push_back(model::RandomTokens(prompt_len(i), vocab, seed + i));
    alone[i] = Greedy(*m.NewSession(options.batch.n_ctx, 16), prompts[i], generate(i));
  }
  std::barrier first_turns_done(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      std::unique_ptr<runtime::BatchedSession> session = (*shared)->NewSession();
      batched[i] = Greedy(*session, prompts[i], generate(i));
      session->Idle();
      first_turns_done.arrive_and_wait();
      if (session->Rewind(static_cast<int32_t>(prompts[i].size()) - 1).ok()) {
        again[i] = Greedy(*session, {prompts[i].back()}, generate(i));
      }
      session->Idle();
    });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(batched[i], alone[i]) << "conversation " << i;
    EXPECT_EQ(again[i], alone[i]) << "conversation " << i << " after rewinding";
  }
}

TEST(BatchedDecodeTest, SharedBatchThreadsEqualAlone) {
  // Prompts in chunks of 8 share steps with the others' decode tokens; a rewound
  // conversation reuses its KV blocks (the pool holds them all).
  HFD_REQUIRE_FIXTURES(fixtures);
  ExpectThreadsEqualAlone(
      fixtures / "gguf/tiny-llama2-Q4_K_M.gguf",
      {.batch = {.n_ctx = 128, .block_size = 16, .n_blocks = 32, .max_step_tokens = 12},
       .chunk_tokens = 8},
      [](int i) { return 5 + 7 * i; }, [](int i) { return 10 + i; }, 300);
}

TEST(BatchedDecodeTest, SharedBatchWaitsForKvBlocks) {
  // Four conversations of 40 positions (3 blocks each) in a pool of 4 blocks (one whole
  // 64-position context): they wait for blocks, every one holding two and wanting a third
  // is a deadlock the last started breaks by giving its blocks up, and each still gets
  // what it gets alone. Then, idle, they hold the pool; a second turn of each takes the
  // idle ones' blocks back and recomputes its own dropped positions.
  HFD_REQUIRE_FIXTURES(fixtures);
  ExpectThreadsEqualAlone(
      fixtures / "gguf/tiny-llama2-Q4_K_M.gguf",
      {.batch = {.n_ctx = 64, .block_size = 16, .n_blocks = 4, .max_step_tokens = 24},
       .chunk_tokens = 20},
      [](int) { return 20; }, [](int) { return 20; }, 500);
}

TEST(BatchedDecodeTest, SharedBatchRefusesWhatThePoolNeverHolds) {
  HFD_REQUIRE_FIXTURES(fixtures);
  LoadedModel m = LoadOnCpu(fixtures / "gguf/tiny-llama2-Q4_K_M.gguf", 2);
  ASSERT_NE(m.files, nullptr);
  auto shared = runtime::SharedBatch::Create(
      *m.backend, *m.files,
      {.batch = {.n_ctx = 64, .block_size = 16, .n_blocks = 3, .max_step_tokens = 64}});
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  std::unique_ptr<runtime::BatchedSession> session = (*shared)->NewSession();
  const std::vector<int32_t> prompt = model::RandomTokens(60, m.files->desc().n_vocab, 7);
  Result<std::span<const float>> refused = session->Feed(prompt);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kTooLarge) << refused.status().ToString();
  EXPECT_EQ(session->position(), 0);
  EXPECT_TRUE(session->Feed(std::span(prompt).first(40)).ok()) << "40 positions fit 3 blocks";
}

TEST(BatchedDecodeTest, CancelEndsAFeedWaitingForKvBlocksAtOnce) {
  // One conversation holds 3 of the pool's 4 blocks and decodes on (rewinding before it
  // would need a fourth); another's prompt needs 2 blocks and waits. Cancelled, it leaves
  // within well under a second, having taken nothing, while the first goes on decoding.
  HFD_REQUIRE_FIXTURES(fixtures);
  LoadedModel m = LoadOnCpu(fixtures / "gguf/tiny-llama2-Q4_K_M.gguf", 2);
  ASSERT_NE(m.files, nullptr);
  const int64_t vocab = m.files->desc().n_vocab;
  auto shared = runtime::SharedBatch::Create(
      *m.backend, *m.files,
      {.batch = {.n_ctx = 64, .block_size = 16, .n_blocks = 4, .max_step_tokens = 64},
       .chunk_tokens = 64});
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  std::unique_ptr<runtime::BatchedSession> holder = (*shared)->NewSession();
  Result<std::span<const float>> first = holder->Feed(model::RandomTokens(40, vocab, 21));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  std::atomic<bool> stop{false};
  std::atomic<int> decoded{0};
  std::thread decoding([&, token = ArgmaxOf(*first)]() mutable {
    while (!stop) {
      if (holder->position() >= 44 && !holder->Rewind(40).ok()) return;
      Result<int32_t> next = holder->FeedGreedy(token);
      if (!next.ok()) return;
      token = *next;
      ++decoded;
    }
    holder->Idle();  // its blocks may go to the waiter (should the cancel not end it)
  });

  std::unique_ptr<runtime::BatchedSession> waiter = (*shared)->NewSession();
  std::atomic<bool> cancel{false};
  waiter->SetCancelCheck([&] { return cancel.load(); });
  using Clock = std::chrono::steady_clock;
  std::promise<Status> fed;
  std::future<Status> result = fed.get_future();
  std::thread feeding(
      [&] { fed.set_value(waiter->Feed(model::RandomTokens(20, vocab, 22)).status()); });
  EXPECT_EQ(result.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout)
      << "the prompt found no blocks free and waits";
  const int before = decoded;
  const auto cancelled_at = Clock::now();
  cancel = true;
  const bool ended = result.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  const auto waited_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - cancelled_at).count();
  const int at_end = decoded;
  // A step can take a while on a loaded machine: wait for one, not a fixed time.
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (decoded.load() <= at_end && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GT(decoded.load(), at_end) << "the holder decodes on";
  stop = true;
  decoding.join();
  feeding.join();
  ASSERT_TRUE(ended);
  EXPECT_EQ(result.get().code(), ErrorCode::kCancelled);
  EXPECT_LT(waited_ms, 300) << "well under a second";
  EXPECT_GT(before, 0);
  EXPECT_EQ(waiter->position(), 0);
  EXPECT_EQ((*shared)->stats().kv_blocks_used, 3) << "only the holder's";
}

}  // namespace
}  // namespace hfd::testing
