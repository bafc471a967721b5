// Many clients at once: every request answered, none lost or crossed.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "hfd/client.h"
#include "tests/daemon/harness.h"

namespace hfd::testing {
namespace {

constexpr int kClients = 200;
constexpr int kRequestsEach = 50;

TEST(Concurrency, TwoHundredClientsTimesFiftyRequests) {
  DaemonFixture daemon;
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  std::atomic<int> answered{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(kClients);
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      auto client = client::Client::Connect(daemon.socket());
      if (!client.ok()) {
        failures += kRequestsEach;
        return;
      }
      for (int i = 0; i < kRequestsEach; ++i) {
        // Alternate a loop-thread method with a streaming worker-thread one whose
        // notification carries a tag, proving each answer belongs to its own request.
        const std::string tag = std::to_string(c) + ":" + std::to_string(i);
        bool ok = false;
        if (i % 2 == 0) {
          auto result = (*client)->Call("status");
          ok = result.ok() && (*result)["pid"] == daemon.process().pid();
        } else {
          std::string echoed;
          auto result = (*client)->CallStreaming(
              "echo", {{"count", 1}, {"payload", tag}},
              [&](const std::string&, const nlohmann::json& p) { echoed = p["payload"]; });
          ok = result.ok() && echoed == tag;
        }
        ok ? ++answered : ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(answered.load(), kClients * kRequestsEach);
  auto client = client::Client::Connect(daemon.socket());
  ASSERT_TRUE(client.ok());
  auto metrics = (*client)->Call("metrics");
  ASSERT_TRUE(metrics.ok());
  const std::string text = (*metrics)["text"];
  EXPECT_NE(text.find("hfd_requests_total{method=\"status\"} 5000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("hfd_requests_total{method=\"echo\"} 5000\n"), std::string::npos);
}

}  // namespace
}  // namespace hfd::testing
