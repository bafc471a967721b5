// 32 clients × 10 requests on one model with max_concurrency 1 and a queue of 8: every
// request completes or is refused with `busy`, none is lost or hangs, and the llm_*
// counters in `metrics` add up to exactly what the clients saw.
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "tests/serve_process/serve_harness.h"

namespace hfd::testing {
namespace {

using nlohmann::json;

constexpr int kClients = 32;
constexpr int kRequestsPerClient = 10;

struct Tally {
  std::mutex mu;
  int completed = 0;
  int busy = 0;
  std::vector<std::string> other_errors;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
};

class Load : public ServeTest {};

TEST_F(Load, EveryRequestCompletesOrIsBusyAndTheCountersAddUp) {
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
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto client = Connect();
      if (client == nullptr) return;
      for (int r = 0; r < kRequestsPerClient; ++r) {
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
  for (std::thread& t : clients) t.join();

  EXPECT_TRUE(tally.other_errors.empty())
      << tally.other_errors.size() << " requests failed, e.g. " << tally.other_errors.front();
  EXPECT_EQ(tally.completed + tally.busy, kClients * kRequestsPerClient)
      << "requests lost (no reply within the bound)";
  EXPECT_GT(tally.completed, 0);
  std::cout << "completed " << tally.completed << ", busy " << tally.busy << "\n";

  const std::string metrics = MetricsText();
  const int errors = tally.busy + static_cast<int>(tally.other_errors.size());
  EXPECT_EQ(SumOfSamples(metrics, "llm_requests"), kClients * kRequestsPerClient) << metrics;
  EXPECT_EQ(SumOfSamples(metrics, "llm_failures"), errors) << metrics;
  EXPECT_EQ(SumOfSamples(metrics, "llm_failures", "reason=\"busy\""), tally.busy) << metrics;
  EXPECT_EQ(SumOfSamples(metrics, "llm_prompt_tokens_total"), tally.prompt_tokens) << metrics;
  EXPECT_EQ(SumOfSamples(metrics, "llm_completion_tokens_total"), tally.completion_tokens)
      << metrics;
  // Every completed request is one observation of the duration histogram (whether a busy
  // refusal is one too, the doc leaves open).
  const double durations = SumOfSamples(metrics, "llm_internal_request_duration_ms_count");
  EXPECT_GE(durations, tally.completed) << metrics;
  EXPECT_LE(durations, kClients * kRequestsPerClient) << metrics;

  // Nothing is left running or queued, and the daemon still serves.
  const json ps = PsModels();
  ASSERT_EQ(ps.size(), 1u) << ps.dump();
  EXPECT_EQ(ps[0].value("running", -1), 0);
  EXPECT_EQ(ps[0].value("queued", -1), 0);
  EXPECT_EQ(ps[0].value("requests_served", -1), tally.completed) << ps.dump();
}

}  // namespace
}  // namespace hfd::testing
