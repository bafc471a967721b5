// Streaming notifications, cancel (by request and by disconnect), worker-thread replies.
#include <gtest/gtest.h>

#include <thread>

#include "hfd/client.h"
#include "proto/codec.h"
#include "tests/daemon/harness.h"

namespace hfd::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class Streaming : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(daemon_.started()) << daemon_.Log();
    auto client = client::Client::Connect(daemon_.socket());
    ASSERT_TRUE(client.ok());
    client_ = std::move(client).value();
  }
  DaemonFixture daemon_;
  std::unique_ptr<client::Client> client_;
};

TEST_F(Streaming, NotificationsArriveInOrderBeforeTheResult) {
  std::vector<std::uint64_t> seqs;
  auto result = client_->CallStreaming("echo", {{"count", 5}, {"payload", "hi"}},
                                       [&](const std::string& method, const json& params) {
                                         EXPECT_EQ(method, "echo");
                                         EXPECT_EQ(params["payload"], "hi");
                                         seqs.push_back(params["seq"]);
                                       });
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ((*result)["count"], 5);
  EXPECT_EQ(seqs, (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
}

TEST_F(Streaming, CancelFromAnotherThreadEndsTheCall) {
  std::atomic<bool> cancel{false};
  std::atomic<int> seen{0};
  client::CallOptions options;
  options.cancel = &cancel;
  std::thread canceller([&] {
    while (seen.load() == 0) std::this_thread::sleep_for(5ms);
    cancel = true;
  });
  auto result = client_->CallStreaming(
      "echo", {{"count", 100000}, {"interval_ms", 10}},
      [&](const std::string&, const json&) { ++seen; }, options);
  canceller.join();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kCancelled) << result.status().ToString();
  EXPECT_LT(seen.load(), 100000);
  // The connection is still good for the next call.
  EXPECT_TRUE(client_->Call("health").ok());
}

TEST_F(Streaming, CancelOfAnUnknownMsgidIsNotFound) {
  auto result = client_->Call("cancel", {{"msgid", 12345}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kNotFound);
  result = client_->Call("cancel", {{"msgid", "one"}});
  EXPECT_EQ(result.status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(Streaming, DisconnectingCancelsTheRequest) {
  {
    auto raw = RawClient::Connect(daemon_.socket());
    ASSERT_NE(raw, nullptr);
    raw->Send(proto::EncodeRequest(1, "echo", {{"count", 100000}, {"interval_ms", 10}}));
    ASSERT_TRUE(raw->Receive().ok());  // it is running
  }
  bool idle = false;
  for (int i = 0; i < 300 && !idle; ++i) {
    auto metrics = client_->Call("metrics");
    ASSERT_TRUE(metrics.ok());
    // The `metrics` call itself is the one request left in flight.
    idle = MetricValue((*metrics)["text"], "hfd_requests_in_flight") == 1;
    if (!idle) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(idle) << "the echo of a vanished client must stop";
}

TEST_F(Streaming, TimeoutGivesUpWithDeadlineExceeded) {
  client::CallOptions options;
  options.timeout_ms = 200;
  auto result = client_->Call("echo", {{"count", 2}, {"interval_ms", 30000}}, options);
  EXPECT_EQ(result.status().code(), ErrorCode::kDeadlineExceeded);
}

TEST(Health, RecordsASpanThatHistoryReturnsNewestFirst) {
  DaemonFixture daemon;
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  auto client = client::Client::Connect(daemon.socket());
  ASSERT_TRUE(client.ok());
  auto first = (*client)->Call("health");
  auto second = (*client)->Call("health");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ((*first)["status"], "ok");
  auto history = (*client)->Call("history", {{"limit", 1}});
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ((*history)["spans"].size(), 1u);
  EXPECT_EQ((*history)["spans"][0]["name"], "health");
  EXPECT_EQ((*history)["spans"][0]["id"], (*second)["span_id"]);
  auto all = (*client)->Call("history", {{"name", "health"}});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)["spans"].size(), 2u);
}

TEST(Metrics, CountRequestsByMethodAndErrorsByCode) {
  DaemonFixture daemon;
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  auto client = client::Client::Connect(daemon.socket());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->Call("health").ok());
  ASSERT_FALSE((*client)->Call("nope").ok());
  auto metrics = (*client)->Call("metrics");
  ASSERT_TRUE(metrics.ok());
  const std::string text = (*metrics)["text"];
  EXPECT_NE(text.find("hfd_requests_total{method=\"health\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("hfd_request_errors_total{method=\"(unknown)\",code=\"not_found\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE hfd_uptime_seconds gauge"), std::string::npos);
  EXPECT_NE(text.find("hfd_request_duration_ms_count{method=\"health\"} 1\n"), std::string::npos);
}

}  // namespace
}  // namespace hfd::testing
