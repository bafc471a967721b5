// Many clients on one model: every request completes or is refused with `busy`, none is
// lost or hangs, and the llm_* counters in `metrics` add up to exactly what the clients
// saw. Once with max_concurrency 1 and a queue of 8 (32 clients × 10 requests), once with
// 8 batched slots whose KV pool holds one context, so running requests wait for KV
// blocks, and a queue of 16 (64 clients × 5 requests).
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "tests/serve_process/serve_harness.h"

namespace hfd::testing {
namespace {

using nlohmann::json;

struct Tally {
  std::mutex mu;
  int completed = 0;
  int busy = 0;
  std::vector<std::string> other_errors;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
};

class Load : public ServeTest {
 protected:
  // `clients` connections at once, each sending `requests` short greedy generates one
  // after another; tallies the answers.
  void RunClients(const std::string& model, int clients, int requests, Tally& tally) {
    std::vector<std::thread> threads;
    threads.reserve(clients);
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        auto client = Connect();
        if (client == nullptr) return;
        for (int r = 0; r < requests; ++r) {
          const Streamed s =
              StreamCall(*client, "generate",
                         {{"model", model},
                          {"prompt", "Request " + std::to_string(c) + "." + std::to_string(r)},
                          {"max_tokens", 4},
                          {"temperature", 0}});
          std::lock_guard lock(tally.mu);
          if (s.status.ok()) {
            ++tally.completed;
            tally.prompt_tokens += s.Usage("prompt_tokens");
            tally.completion_tokens += s.Usage("completion_tokens");
          } else if (s.status.code() == ErrorCode::kBusy) {
            ++tally.busy;
          } else {
            tally.other_errors.push_back(s.status.ToString());
          }
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }

  // The clients' tally of `total` requests against `metrics` and `ps`.
  void ExpectTheCountsAddUp(const Tally& tally, int total) {
    EXPECT_TRUE(tally.other_errors.empty())
        << tally.other_errors.size() << " requests failed, e.g. " << tally.other_errors.front();
    EXPECT_EQ(tally.completed + tally.busy, total) << "requests lost (no reply within the bound)";
    EXPECT_GT(tally.completed, 0);
    std::cout << "completed " << tally.completed << ", busy " << tally.busy << "\n";

    const std::string metrics = MetricsText();
    const int errors = tally.busy + static_cast<int>(tally.other_errors.size());
    EXPECT_EQ(SumOfSamples(metrics, "llm_requests"), total) << metrics;
    EXPECT_EQ(SumOfSamples(metrics, "llm_failures"), errors) << metrics;
    EXPECT_EQ(SumOfSamples(metrics, "llm_failures", "reason=\"busy\""), tally.busy) << metrics;
    EXPECT_EQ(SumOfSamples(metrics, "llm_prompt_tokens_total"), tally.prompt_tokens) << metrics;
    EXPECT_EQ(SumOfSamples(metrics, "llm_completion_tokens_total"), tally.completion_tokens)
        << metrics;
    // Every completed request is one observation of the duration histogram (whether a busy
    // refusal is one too, the doc leaves open).
    const double durations = SumOfSamples(metrics, "llm_internal_request_duration_ms_count");
    EXPECT_GE(durations, tally.completed) << metrics;
    EXPECT_LE(durations, total) << metrics;

    // Nothing is left running or queued, and the daemon still serves.
    const json ps = PsModels();
    ASSERT_EQ(ps.size(), 1u) << ps.dump();
    EXPECT_EQ(ps[0].value("running", -1), 0);
    EXPECT_EQ(ps[0].value("queued", -1), 0);
    EXPECT_EQ(ps[0].value("requests_served", -1), tally.completed) << ps.dump();
  }
};

TEST_F(Load, EveryRequestCompletesOrIsBusyAndTheCountersAddUp) {
  constexpr int kClients = 32;
  constexpr int kRequestsPerClient = 10;
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const std::string model = models_.llama3_q8.string();
  const json loaded = CallOk("load", {{"model", model},
                                      {"backend", "cpu"},
                                      {"ctx", 256},
                                      {"max_concurrency", 1},
                                      {"max_queue", 8}});
  ASSERT_EQ(loaded.value("max_concurrency", 0), 1) << loaded.dump();
  ASSERT_EQ(loaded.value("max_queue", 0), 8) << loaded.dump();

  Tally tally;
  RunClients(model, kClients, kRequestsPerClient, tally);
  ExpectTheCountsAddUp(tally, kClients * kRequestsPerClient);
}

TEST_F(Load, SixtyFourClientsOnEightBatchedSlotsWaitingForKvBlocks) {
  constexpr int kClients = 64;
  constexpr int kRequestsPerClient = 5;
  constexpr int kCtx = 64;
  // A pool of one context (4 blocks of 16) for 8 slots: running requests (a block each)
  // wait for blocks, and idle slots give theirs back.
  ASSERT_NO_FATAL_FAILURE(StartDaemon("[models]\nkv_pool_tokens = 64\n"));
  const std::string model = models_.llama3_q8.string();
  const json alone =
      CallOk("load", {{"model", model}, {"backend", "cpu"}, {"ctx", kCtx}, {"max_concurrency", 1}});
  const json loaded = CallOk("load", {{"model", model},
                                      {"backend", "cpu"},
                                      {"ctx", kCtx},
                                      {"max_concurrency", 8},
                                      {"max_queue", 16}});
  ASSERT_EQ(loaded.value("max_concurrency", 0), 8) << loaded.dump();
  ASSERT_EQ(loaded.value("max_queue", 0), 16) << loaded.dump();
  EXPECT_EQ(loaded.value("kv_cache_bytes", 0), alone.value("kv_cache_bytes", -1))
      << "the pool holds one context: " << loaded.dump() << " " << alone.dump();

  Tally tally;
  const auto start = std::chrono::steady_clock::now();
  RunClients(model, kClients, kRequestsPerClient, tally);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << kClients * kRequestsPerClient << " requests in " << seconds << " s\n";
  EXPECT_LT(seconds, 120) << "a bound far above the few seconds this takes: nothing hangs";
  ExpectTheCountsAddUp(tally, kClients * kRequestsPerClient);
}

}  // namespace
}  // namespace hfd::testing
