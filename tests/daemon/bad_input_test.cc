// Bad input on one connection gets its error (or a disconnect) and never disturbs the
// daemon's other clients.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <thread>

#include <msgpack.hpp>

#include "hfd/client.h"
#include "proto/codec.h"
#include "tests/daemon/harness.h"

namespace hfd::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kSmallLimits = R"(
[limits]
max_message_bytes = 65536
max_string_bytes = 32768
max_output_bytes = 65536
)";

class BadInput : public ::testing::Test {
 protected:
  BadInput() : daemon_({}, kSmallLimits) {}

  void SetUp() override { ASSERT_TRUE(daemon_.started()) << daemon_.Log(); }

  // `status` from a fresh client still answers.
  void ExpectOthersServed() {
    auto client = client::Client::Connect(daemon_.socket());
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client::CallOptions options;
    options.timeout_ms = 20000;
    auto status = (*client)->Call("status", {}, options);
    ASSERT_TRUE(status.ok()) << status.status().ToString() << "\n" << daemon_.Log();
    EXPECT_EQ((*status)["pid"], daemon_.process().pid());
  }

  std::unique_ptr<RawClient> Raw() {
    auto raw = RawClient::Connect(daemon_.socket());
    EXPECT_NE(raw, nullptr);
    return raw;
  }

  // Metrics text, for checks on the daemon's internal state.
  std::string Metrics() {
    auto client = client::Client::Connect(daemon_.socket());
    if (!client.ok()) return "";
    auto m = (*client)->Call("metrics");
    return m.ok() ? (*m)["text"].get<std::string>() : "";
  }

  DaemonFixture daemon_;
};

void ExpectProtocolErrorThenClose(RawClient& raw, ErrorCode code) {
  auto m = raw.Receive();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->type, proto::MessageType::kNotification);
  EXPECT_EQ(m->method, "protocol_error");
  EXPECT_EQ(m->params["code"], static_cast<int>(code)) << m->params.dump();
  EXPECT_TRUE(raw.WaitClosed(20s));
}

TEST_F(BadInput, GarbageBytesGetAnErrorAndADisconnect) {
  auto raw = Raw();
  ASSERT_TRUE(raw->Send(std::string("\xc1 this is not msgpack", 21)));
  ExpectProtocolErrorThenClose(*raw, ErrorCode::kInvalidArgument);
  ExpectOthersServed();
}

TEST_F(BadInput, ATruncatedFrameWaitsForTheRestAndOthersAreServedMeanwhile) {
  auto raw = Raw();
  const std::string request = proto::EncodeRequest(3, "health", {});
  ASSERT_TRUE(raw->Send(request.substr(0, request.size() / 2)));
  EXPECT_EQ(raw->Receive(200ms).status().code(), ErrorCode::kDeadlineExceeded);
  ExpectOthersServed();
  ASSERT_TRUE(raw->Send(request.substr(request.size() / 2)));
  auto reply = raw->Receive();
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(reply->msgid, 3u);
  EXPECT_EQ(reply->result["status"], "ok");
}

TEST_F(BadInput, AClientThatHangsUpMidFrameHarmsNoOne) {
  {
    auto raw = Raw();
    const std::string request = proto::EncodeRequest(1, "status", {});
    ASSERT_TRUE(raw->Send(request.substr(0, 3)));
  }
  ExpectOthersServed();
}

TEST_F(BadInput, AnOversizedFrameIsRefused) {
  auto raw = Raw();
  // Under the string limit, over the message limit: caught while it arrives.
  json params{{"a", std::string(30000, 'a')},
              {"b", std::string(30000, 'b')},
              {"c", std::string(30000, 'c')}};
  raw->Send(proto::EncodeRequest(1, "status", params));
  ExpectProtocolErrorThenClose(*raw, ErrorCode::kTooLarge);
  ExpectOthersServed();
}

// The daemon stops reading an oversized request and closes the connection while the
// client is still sending it: the client reports the daemon's reason, not the closing.
TEST_F(BadInput, TheClientLibraryReportsWhyAnOversizedRequestWasRefused) {
  auto client = client::Client::Connect(daemon_.socket());
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  Result<json> result = (*client)->Call("echo", {{"payload", std::string(8 << 20, 'x')}});
  EXPECT_EQ(result.status().code(), ErrorCode::kTooLarge) << result.status().ToString();
  EXPECT_NE(result.status().message().find("limit"), std::string::npos)
      << result.status().ToString();
}

TEST_F(BadInput, AStringOverTheStringLimitIsRefused) {
  auto raw = Raw();
  raw->Send(proto::EncodeRequest(1, "status", {{"s", std::string(40000, 's')}}));
  ExpectProtocolErrorThenClose(*raw, ErrorCode::kTooLarge);
  ExpectOthersServed();
}

TEST_F(BadInput, AHugeStringHeaderIsCutOffAtTheMessageLimit) {
  auto raw = Raw();
  // Announces a 1 GiB string, then keeps sending: refused once 64 KiB are buffered.
  const char header[] = {'\x94', '\x00', '\x01', '\xdb', '\x40', '\x00', '\x00', '\x00'};
  ASSERT_TRUE(raw->Send(std::string(header, sizeof(header))));
  raw->Send(std::string(70000, 'x'));
  ExpectProtocolErrorThenClose(*raw, ErrorCode::kTooLarge);
  ExpectOthersServed();
}

TEST_F(BadInput, WrongParamTypesGetAnErrorAndTheConnectionStaysUsable) {
  auto raw = Raw();
  raw->Send(proto::EncodeRequest(10, "history", {{"limit", "ten"}}));
  auto reply = raw->Receive();
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->msgid, 10u);
  EXPECT_EQ(reply->error.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(reply->error.message(), "param 'limit' must be an unsigned integer");
  raw->Send(proto::EncodeRequest(11, "history", {{"limt", 1}}));
  reply = raw->Receive();
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->error.message(), "unknown param 'limt'");
  raw->Send(proto::EncodeRequest(12, "health", {}));
  reply = raw->Receive();
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->msgid, 12u);
  EXPECT_TRUE(reply->error.ok());
}

TEST_F(BadInput, AMalformedRequestWithAMsgidGetsAnErrorResponse) {
  auto raw = Raw();
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> p(buffer);
  p.pack_array(4);
  p.pack(0);
  p.pack(42);
  p.pack(7);  // method is not a string
  p.pack_array(0);
  raw->Send(std::string(buffer.data(), buffer.size()));
  auto reply = raw->Receive();
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->type, proto::MessageType::kResponse);
  EXPECT_EQ(reply->msgid, 42u);
  EXPECT_EQ(reply->error.code(), ErrorCode::kInvalidArgument);
}

TEST_F(BadInput, AValidObjectThatIsNotAMessageGetsAProtocolErrorButNoDisconnect) {
  auto raw = Raw();
  raw->Send(std::string("\x2a", 1));  // the integer 42
  auto m = raw->Receive();
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->method, "protocol_error");
  raw->Send(proto::EncodeRequest(1, "health", {}));
  auto reply = raw->Receive();
  ASSERT_TRUE(reply.ok());
  EXPECT_TRUE(reply->error.ok());
}

TEST_F(BadInput, UnknownMethodsAreNamedInTheError) {
  auto raw = Raw();
  raw->Send(proto::EncodeRequest(5, "frobnicate", {}));
  auto reply = raw->Receive();
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->error.code(), ErrorCode::kNotFound);
  EXPECT_NE(reply->error.message().find("frobnicate"), std::string::npos);
  EXPECT_NE(reply->error.message().find("status"), std::string::npos);
}

TEST_F(BadInput, AReusedMsgidInFlightIsRefused) {
  auto raw = Raw();
  raw->Send(proto::EncodeRequest(9, "echo", {{"count", 3}, {"interval_ms", 2000}}));
  auto first = raw->Receive();  // the first notification: the request is in flight
  ASSERT_TRUE(first.ok());
  raw->Send(proto::EncodeRequest(9, "health", {}));
  auto reply = raw->Receive();
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->type, proto::MessageType::kResponse);
  EXPECT_EQ(reply->error.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(reply->error.message().find("already in flight"), std::string::npos);
}

TEST_F(BadInput, APipeliningClientThatNeverReadsIsThrottledNotBuffered) {
  auto raw = Raw();
  ASSERT_EQ(::fcntl(raw->fd(), F_SETFL, O_NONBLOCK), 0);
  const std::string request = proto::EncodeRequest(1, "metrics", {});
  std::size_t sent = 0;
  // Send until the kernel refuses more: the daemon stopped reading us.
  for (int i = 0; i < 200000; ++i) {
    const ssize_t n = ::send(raw->fd(), request.data(), request.size(), MSG_NOSIGNAL);
    if (n < 0) break;
    sent += static_cast<std::size_t>(n);
  }
  EXPECT_GT(sent, 0u);
  ExpectOthersServed();
  const double queued = MetricValue(Metrics(), "hfd_output_queue_bytes");
  EXPECT_GE(queued, 0);
  EXPECT_LE(queued, 65536) << "output for the stalled client must stay under max_output_bytes";
}

TEST_F(BadInput, AStreamingClientThatNeverReadsIsDisconnected) {
  auto raw = Raw();
  raw->Send(
      proto::EncodeRequest(1, "echo", {{"count", 1000000}, {"payload", std::string(8192, 'x')}}));
  // The daemon drops the connection once its output passes max_output_bytes, which
  // cancels the stream; the observer is then the only client and its `metrics` call the
  // only request in flight.
  bool dropped = false;
  for (int i = 0; i < 300 && !dropped; ++i) {
    const std::string text = Metrics();
    dropped = MetricValue(text, "hfd_connections") == 1 &&
              MetricValue(text, "hfd_requests_in_flight") == 1;
    if (!dropped) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(dropped) << Metrics() << daemon_.Log();
}

}  // namespace
}  // namespace hfd::testing
