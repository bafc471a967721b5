// 32 HTTP clients and 32 MessagePack clients at once on one model with max_concurrency 1
// and a queue of 8: every request completes or gets the busy answer (HTTP 429 with
// Retry-After, MessagePack `busy`), none hangs, and the llm_* counters of each door's
// `api` label add up to exactly what its clients saw.
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "tests/http/http_harness.h"

namespace hfd::testing {
namespace {

using nlohmann::json;

constexpr int kClientsPerDoor = 32;
constexpr int kRequestsPerClient = 3;
constexpr int kTokens = 4;
constexpr int kRequests = kClientsPerDoor * kRequestsPerClient;  // on each door

// What the clients of one door saw.
struct DoorTally {
  int completed = 0;
  int busy = 0;
  std::int64_t completion_tokens = 0;
  std::vector<std::string> other;  // anything else: a wrong answer, an error, a hang
};

struct Tally {
  std::mutex mu;
  DoorTally http, msgpack;
};

// One HTTP request's outcome, streamed (with the usage chunk) or not.
void CountHttp(const HttpResult& r, bool stream, DoorTally& tally) {
  if (r.status == 429 && r.Header("retry-after") == "1") {
    ++tally.busy;
    return;
  }
  if (r.status != 200) {
    tally.other.push_back("HTTP " + std::to_string(r.status) + " " + r.body + r.error);
    return;
  }
  std::string usage_json = r.body;
  if (stream) {
    // The usage chunk is the event before [DONE].
    const size_t done = r.body.rfind("data: [DONE]");
    const size_t usage = r.body.rfind("data: {", done);
    if (done == std::string::npos || usage == std::string::npos) {
      tally.other.push_back("unfinished stream: " + r.body);
      return;
    }
    usage_json = r.body.substr(usage + 6, done - usage - 6);
  }
  const json answer = json::parse(usage_json, nullptr, false);
  if (!answer.is_object() || !answer["usage"].is_object()) {
    tally.other.push_back("no usage in: " + r.body);
    return;
  }
  ++tally.completed;
  tally.completion_tokens += answer["usage"].value("completion_tokens", 0);
}

class MixedLoad : public HttpTest {};

TEST_F(MixedLoad, BothDoorsCompleteOrAreBusyAndTheirCountersAddUp) {
  ASSERT_NO_FATAL_FAILURE(StartServing());
  const json loaded = CallOk("load", {{"model", kHttpModel},
                                      {"backend", "cpu"},
                                      {"ctx", 256},
                                      {"max_concurrency", 1},
                                      {"max_queue", 8}});
  ASSERT_EQ(loaded.value("max_queue", 0), 8) << loaded.dump();

  Tally tally;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClientsPerDoor; ++c) {
    // Half of the HTTP clients stream, half do not.
    clients.emplace_back([&, c] {
      const bool stream = c % 2 == 0;
      json body = ChatBody(kTokens, stream);
      if (stream) body["stream_options"] = {{"include_usage", true}};
      for (int r = 0; r < kRequestsPerClient; ++r) {
        const HttpResult result = Curl("POST", "/v1/chat/completions", body.dump());
        std::lock_guard lock(tally.mu);
        CountHttp(result, stream, tally.http);
      }
    });
    clients.emplace_back([&] {
      auto client = Connect();
      if (client == nullptr) return;
      for (int r = 0; r < kRequestsPerClient; ++r) {
        const Streamed s = StreamCall(*client, "generate", ShortGenerate(kHttpModel, kTokens));
        std::lock_guard lock(tally.mu);
        if (s.status.ok()) {
          ++tally.msgpack.completed;
          tally.msgpack.completion_tokens += s.Usage("completion_tokens");
        } else if (s.status.code() == ErrorCode::kBusy) {
          ++tally.msgpack.busy;
        } else {
          tally.msgpack.other.push_back(s.status.ToString());
        }
      }
    });
  }
  for (std::thread& t : clients) t.join();

  const std::string metrics = MetricsText();
  const auto expect_door = [&metrics](const std::string& api, const DoorTally& door) {
    SCOPED_TRACE(api);
    EXPECT_TRUE(door.other.empty()) << door.other.size() << " went wrong, e.g. " << door.other[0];
    EXPECT_EQ(door.completed + door.busy, kRequests) << "requests lost";
    std::cout << api << ": completed " << door.completed << ", busy " << door.busy << "\n";
    const std::string label = "api=\"" + api + "\"";
    EXPECT_EQ(SumOfSamples(metrics, "llm_requests", label), kRequests) << metrics;
    EXPECT_EQ(SumOfSamples(metrics, "llm_failures", label), door.busy) << metrics;
    EXPECT_EQ(SumOfSamples(metrics, "llm_completion_tokens_total", label), door.completion_tokens)
        << metrics;
  };
  expect_door("openai", tally.http);
  expect_door("msgpack", tally.msgpack);
  // Which door wins the slot is a race (in-process clients start faster than curl), so
  // only the total is certain: the slot ran requests.
  EXPECT_GT(tally.http.completed + tally.msgpack.completed, 0);
  EXPECT_EQ(SumOfSamples(metrics, "llm_failures", "reason=\"busy\""),
            tally.http.busy + tally.msgpack.busy)
      << metrics;

  // Nothing is left running or queued, and every completed request was served once.
  const json ps = PsModels();
  ASSERT_EQ(ps.size(), 1u) << ps.dump();
  EXPECT_EQ(ps[0].value("running", -1), 0);
  EXPECT_EQ(ps[0].value("queued", -1), 0);
  EXPECT_EQ(ps[0].value("requests_served", -1), tally.http.completed + tally.msgpack.completed);
}

}  // namespace
}  // namespace hfd::testing
