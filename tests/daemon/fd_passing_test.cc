// Descriptors passed with requests (SCM_RIGHTS; docs/protocol.md, "Passing local files"),
// through the real server, connection and dispatch code on a real socket, to a handler
// that reports what it received.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <thread>

#include "common/unique_fd.h"
#include "hfd/client.h"
#include "proto/codec.h"
#include "proto/passed_files.h"
#include "tests/daemon/harness.h"
#include "tests/daemon/in_process_server.h"

namespace hfd::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Replies with the name, contents and close-on-exec flag of each file passed.
void RegisterFilesMethod(daemon::MethodRegistry& methods) {
  daemon::Method method;
  method.name = "passed_files";
  method.execution = daemon::Execution::kWorker;
  method.handler = daemon::Sync([](daemon::RequestContext& ctx) -> Result<json> {
    json files = json::array();
    for (const daemon::PassedFile& file : ctx.TakePassedFiles()) {
      char buffer[256];
      const ssize_t n = ::pread(file.fd.get(), buffer, sizeof(buffer), 0);
      files.push_back({{"name", file.name},
                       {"content", std::string(buffer, n > 0 ? static_cast<std::size_t>(n) : 0)},
                       {"cloexec", (::fcntl(file.fd.get(), F_GETFD) & FD_CLOEXEC) != 0}});
    }
    json result{{"files", files}, {"params", ctx.params()}};
    result["taken_again"] = ctx.TakePassedFiles().size();
    return result;
  });
  ASSERT_TRUE(methods.Add(std::move(method)).ok());
}

// Sends `bytes` with `fds`: `batches[i]` descriptors on the i-th sendmsg, each sendmsg
// carrying one byte, the last one the rest.
bool SendWithFds(int socket, const std::string& bytes, const std::vector<int>& fds,
                 const std::vector<std::size_t>& batches) {
  std::size_t sent_bytes = 0;
  std::size_t sent_fds = 0;
  for (std::size_t i = 0; i < batches.size(); ++i) {
    const std::size_t length = i + 1 == batches.size() ? bytes.size() - sent_bytes : 1;
    const std::span<const int> batch(fds.data() + sent_fds, batches[i]);
    if (proto::SendWithFds(socket, std::string_view(bytes).substr(sent_bytes, length), batch) !=
        static_cast<ssize_t>(length)) {
      return false;
    }
    sent_bytes += length;
    sent_fds += batches[i];
  }
  return sent_bytes == bytes.size();
}

class FdPassing : public ::testing::Test {
 protected:
  FdPassing() : server_(RegisterFilesMethod) {}

  void SetUp() override {
    ASSERT_TRUE(server_.started().ok()) << server_.started().ToString();
    ASSERT_TRUE(server_.WaitNoConnections());
    baseline_fds_ = OpenDescriptorCount();
  }

  // Whatever a test did, once its connections and files are closed every descriptor the
  // server received is closed too.
  void TearDown() override {
    raw_.clear();
    files_.clear();
    EXPECT_TRUE(server_.WaitNoConnections());
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (OpenDescriptorCount() != baseline_fds_ && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);
    }
    EXPECT_EQ(OpenDescriptorCount(), baseline_fds_) << "descriptors leaked";
  }

  RawClient& Connect() {
    raw_.push_back(RawClient::Connect(server_.socket()));
    EXPECT_NE(raw_.back(), nullptr);
    return *raw_.back();
  }

  // Opens `count` files named f0, f1... whose contents are their names.
  std::vector<int> OpenFiles(std::size_t count, const std::string& prefix = "f") {
    std::vector<int> fds;
    for (std::size_t i = 0; i < count; ++i) {
      const std::string name = prefix + std::to_string(i);
      std::ofstream(dir_.path() / name) << name;
      files_.emplace_back(::open((dir_.path() / name).c_str(), O_RDONLY | O_CLOEXEC));
      fds.push_back(files_.back().get());
    }
    return fds;
  }

  static json Names(std::size_t count, const std::string& prefix = "f") {
    json names = json::array();
    for (std::size_t i = 0; i < count; ++i) names.push_back(prefix + std::to_string(i));
    return names;
  }

  // The reply to msgid: its result, or the error as the test's failure.
  static Result<json> Reply(RawClient& raw, std::uint32_t msgid) {
    Result<proto::Message> m = raw.Receive();
    if (!m.ok()) return m.status();
    EXPECT_EQ(m->type, proto::MessageType::kResponse);
    EXPECT_EQ(m->msgid, msgid);
    if (!m->error.ok()) return m->error;
    return m->result;
  }

  static void ExpectFiles(const json& result, const json& names) {
    ASSERT_EQ(result["files"].size(), names.size()) << result.dump();
    for (std::size_t i = 0; i < names.size(); ++i) {
      EXPECT_EQ(result["files"][i]["name"], names[i]);
      EXPECT_EQ(result["files"][i]["content"], names[i]) << "descriptor paired with another name";
      EXPECT_EQ(result["files"][i]["cloexec"], true);
    }
    EXPECT_EQ(result["taken_again"], 0);
  }

  static void ExpectProtocolErrorThenClose(RawClient& raw, ErrorCode code,
                                           const std::string& text) {
    Result<proto::Message> m = raw.Receive();
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ(m->method, "protocol_error");
    EXPECT_EQ(m->params["code"], static_cast<int>(code)) << m->params.dump();
    EXPECT_NE(m->params["message"].get<std::string>().find(text), std::string::npos)
        << m->params.dump();
    EXPECT_TRUE(raw.WaitClosed(20s));
  }

  InProcessServer server_;
  TempDir dir_;
  std::vector<std::unique_ptr<RawClient>> raw_;
  std::vector<UniqueFd> files_;
  std::size_t baseline_fds_ = 0;
};

TEST_F(FdPassing, ThreeFilesArriveWithTheirNamesAndFilesLeavesTheParams) {
  RawClient& raw = Connect();
  const std::string request =
      proto::EncodeRequest(1, "passed_files", {{"files", Names(3)}, {"other", 5}});
  ASSERT_TRUE(SendWithFds(raw.fd(), request, OpenFiles(3), {3}));
  Result<json> result = Reply(raw, 1);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectFiles(*result, Names(3));
  EXPECT_EQ((*result)["params"], json({{"other", 5}}));
}

TEST_F(FdPassing, SeventyFilesOverTwoSendmsgArriveInOrder) {
  RawClient& raw = Connect();
  const std::string request = proto::EncodeRequest(2, "passed_files", {{"files", Names(70)}});
  ASSERT_TRUE(SendWithFds(raw.fd(), request, OpenFiles(70), {64, 6}));
  Result<json> result = Reply(raw, 2);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectFiles(*result, Names(70));
}

TEST_F(FdPassing, PipelinedRequestsEachTakeTheirOwnFiles) {
  RawClient& raw = Connect();
  ASSERT_TRUE(SendWithFds(raw.fd(),
                          proto::EncodeRequest(1, "passed_files", {{"files", Names(2, "a")}}),
                          OpenFiles(2, "a"), {2}));
  ASSERT_TRUE(SendWithFds(raw.fd(),
                          proto::EncodeRequest(2, "passed_files", {{"files", Names(3, "b")}}),
                          OpenFiles(3, "b"), {3}));
  // Requests run concurrently, so their answers may come in either order.
  std::map<std::uint32_t, json> results;
  for (int i = 0; i < 2; ++i) {
    Result<proto::Message> m = raw.Receive();
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    ASSERT_TRUE(m->error.ok()) << m->error.ToString();
    results[m->msgid] = m->result;
  }
  ASSERT_EQ(results.size(), 2u);
  ExpectFiles(results[1], Names(2, "a"));
  ExpectFiles(results[2], Names(3, "b"));
}

TEST_F(FdPassing, FewerDescriptorsThanNamesIsAnErrorAndTheNextRequestStartsClean) {
  RawClient& raw = Connect();
  ASSERT_TRUE(SendWithFds(raw.fd(), proto::EncodeRequest(1, "passed_files", {{"files", Names(3)}}),
                          OpenFiles(2), {2}));
  Result<json> refused = Reply(raw, 1);
  ASSERT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("names 3 files but 2 descriptors"), std::string::npos)
      << refused.status().message();
  ASSERT_TRUE(SendWithFds(raw.fd(),
                          proto::EncodeRequest(2, "passed_files", {{"files", Names(1, "g")}}),
                          OpenFiles(1, "g"), {1}));
  Result<json> result = Reply(raw, 2);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectFiles(*result, Names(1, "g"));
}

TEST_F(FdPassing, BadFileNamesAreRefusedAndTheirDescriptorsClosed) {
  RawClient& raw = Connect();
  const std::vector<json> bad = {
      json::array({"/etc/passwd"}),
      json::array({"../up"}),
      json::array({"a/../b"}),
      json::array({"a//b"}),
      json::array({"a/./b"}),
      json::array({"dir/"}),
      json::array({""}),
      json::array({std::string(1025, 'n')}),
      json::array({7}),
      json::array({"x", "x"}),
      json("config.json"),
  };
  std::uint32_t msgid = 0;
  for (const json& files : bad) {
    ++msgid;
    const std::size_t count = files.is_array() ? files.size() : 1;
    ASSERT_TRUE(SendWithFds(raw.fd(),
                            proto::EncodeRequest(msgid, "passed_files", {{"files", files}}),
                            OpenFiles(count, "bad" + std::to_string(msgid) + "_"), {count}));
    Result<json> refused = Reply(raw, msgid);
    EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument) << files.dump();
    EXPECT_NE(refused.status().message().find("files"), std::string::npos)
        << refused.status().message();
  }
  // `files` that is not an array claims nothing, so the descriptor sent with it is the
  // only one still queued: the next request takes it first.
  ASSERT_TRUE(SendWithFds(raw.fd(),
                          proto::EncodeRequest(99, "passed_files", {{"files", {"late", "g0"}}}),
                          OpenFiles(1, "g"), {1}));
  Result<json> result = Reply(raw, 99);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ((*result)["files"].size(), 2u);
  EXPECT_EQ((*result)["files"][0]["content"], "bad11_0");
  EXPECT_EQ((*result)["files"][1]["content"], "g0");
}

TEST_F(FdPassing, MoreThan256NamesAreRefused) {
  RawClient& raw = Connect();
  ASSERT_TRUE(raw.Send(proto::EncodeRequest(1, "passed_files", {{"files", Names(257)}})));
  Result<json> refused = Reply(raw, 1);
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("at most 256"), std::string::npos)
      << refused.status().message();
}

TEST_F(FdPassing, DescriptorsNoRequestClaimsPileUpOnlyTo256) {
  RawClient& raw = Connect();
  for (std::uint32_t i = 1; i <= 4; ++i) {
    ASSERT_TRUE(SendWithFds(raw.fd(), proto::EncodeRequest(i, "passed_files", {}),
                            OpenFiles(64, "u" + std::to_string(i) + "_"), {64}));
    Result<json> result = Reply(raw, i);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_TRUE((*result)["files"].empty());
  }
  ASSERT_TRUE(
      SendWithFds(raw.fd(), proto::EncodeRequest(5, "passed_files", {}), OpenFiles(1), {1}));
  ExpectProtocolErrorThenClose(raw, ErrorCode::kTooLarge, "more than 256 passed descriptors");
}

TEST_F(FdPassing, MoreThan64OnOneSendmsgClosesTheConnection) {
  RawClient& raw = Connect();
  ASSERT_TRUE(SendWithFds(raw.fd(), proto::EncodeRequest(1, "passed_files", {{"files", Names(65)}}),
                          OpenFiles(65), {65}));
  ExpectProtocolErrorThenClose(raw, ErrorCode::kTooLarge, "at most 64 per sendmsg");
}

TEST_F(FdPassing, UnclaimedDescriptorsAreClosedWithTheConnection) {
  RawClient& raw = Connect();
  // Half a request: its descriptors wait for the rest, which never comes.
  const std::string request = proto::EncodeRequest(1, "passed_files", {{"files", Names(10)}});
  ASSERT_TRUE(SendWithFds(raw.fd(), request.substr(0, 5), OpenFiles(10), {10}));
  EXPECT_EQ(raw.Receive(200ms).status().code(), ErrorCode::kDeadlineExceeded);
  // TearDown checks that closing the connection closed the ten.
}

TEST_F(FdPassing, TheClientLibrarySendsSeventyFilesWithTheirNames) {
  auto client = client::Client::Connect(server_.socket());
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  client::CallOptions options;
  const std::vector<int> fds = OpenFiles(70);
  for (std::size_t i = 0; i < fds.size(); ++i)
    options.files.push_back({"f" + std::to_string(i), fds[i]});
  Result<json> result = (*client)->Call("passed_files", {{"other", 1}}, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectFiles(*result, Names(70));
  EXPECT_EQ((*result)["params"], json({{"other", 1}}));
  // Files passed with one call are not passed with the next.
  result = (*client)->Call("passed_files", {});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE((*result)["files"].empty());
}

TEST_F(FdPassing, TheClientLibraryRefusesWhatTheDaemonWould) {
  auto client = client::Client::Connect(server_.socket());
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  const int fd = OpenFiles(1).front();
  client::CallOptions options;
  options.files = {{"../config.json", fd}};
  EXPECT_EQ((*client)->Call("passed_files", {}, options).status().code(),
            ErrorCode::kInvalidArgument);
  options.files = {{"config.json", fd}};
  EXPECT_EQ((*client)->Call("passed_files", {{"files", {"config.json"}}}, options).status().code(),
            ErrorCode::kInvalidArgument);
  // Nothing was sent: the connection is in step, and the next call gets its own file.
  Result<json> result = (*client)->Call("passed_files", {}, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ((*result)["files"].size(), 1u);
  EXPECT_EQ((*result)["files"][0]["name"], "config.json");
  EXPECT_EQ((*result)["files"][0]["content"], "f0");
}

}  // namespace
}  // namespace hfd::testing
