// One user cannot hold every connection (issue 13, finding 9): a second real user (the
// hfd_test_user fixture) holds as many connections as hfd gives it, its next one is refused
// with an error that names the limit, and root still connects and is answered.
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto/codec.h"
#include "tests/daemon/harness.h"
#include "tests/support/test_user.h"

namespace hfd::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kBusy = static_cast<int>(ErrorCode::kBusy);

// Connects to `socket` and checks that `status` answers, as the caller's own uid.
Status ConnectAndAsk(const std::string& socket, std::vector<std::unique_ptr<RawClient>>& held) {
  std::unique_ptr<RawClient> raw = RawClient::Connect(socket);
  if (raw == nullptr) return Unavailable("cannot connect");
  if (!raw->Send(proto::EncodeRequest(1, "status", {}))) return Unavailable("cannot send");
  HFD_ASSIGN_OR_RETURN(proto::Message reply, raw->Receive());
  if (reply.type != proto::MessageType::kResponse) {
    return Internal("instead of the status: " + reply.params.dump());
  }
  if (!reply.error.ok()) return reply.error;
  if (reply.result["peer"]["uid"] != ::geteuid()) {
    return Internal("status saw the peer as " + reply.result["peer"].dump());
  }
  held.push_back(std::move(raw));
  return Status::Ok();
}

// Connects and expects the connection refused: a busy protocol_error naming `limit`,
// then the end of the stream.
Status ExpectRefused(const std::string& socket, const std::string& limit) {
  std::unique_ptr<RawClient> raw = RawClient::Connect(socket);
  if (raw == nullptr) return Unavailable("cannot connect");
  HFD_ASSIGN_OR_RETURN(proto::Message m, raw->Receive());
  const std::string message = m.params.value("message", "");
  if (m.method != "protocol_error" || m.params.value("code", 0) != kBusy ||
      message.find(limit) == std::string::npos) {
    return Internal("not refused for " + limit + ": " + m.params.dump());
  }
  if (!raw->WaitClosed(20s)) return Internal("the refused connection stays open");
  return Status::Ok();
}

class ConnectionCap : public ::testing::Test {
 protected:
  void SetUp() override {
    HFD_REQUIRE_TEST_USER(user);
    // The child that acts as the user switches to it itself.
    if (::geteuid() != 0) {
      if (RunningInCi()) GTEST_FAIL() << "CI runs the tests as root";
      GTEST_SKIP() << "acting as " << user.name << " needs root";
    }
    uid_ = user.uid;
    gid_ = user.gid;
  }

  // Starts hfd with `limits` under [limits], its socket open to the test user.
  std::unique_ptr<DaemonFixture> StartDaemon(const std::string& limits) {
    auto daemon = std::make_unique<DaemonFixture>(std::vector<std::string>{},
                                                  "socket_mode = \"0666\"\n[limits]\n" + limits);
    EXPECT_TRUE(daemon->started()) << daemon->Log();
    EXPECT_EQ(::chmod(daemon->dir().c_str(), 0755), 0);
    return daemon;
  }

  // In a child process running as the test user: `admitted` connections that `status`
  // answers, then one refused for `limit`. Returns "ok" or what went wrong; the child
  // holds its connections until ReleaseUser().
  std::string HoldAsUser(const std::string& socket, int admitted, const std::string& limit) {
    int report[2], hold[2];
    if (::pipe2(report, O_CLOEXEC) != 0 || ::pipe2(hold, O_CLOEXEC) != 0) return "pipe failed";
    child_ = ::fork();
    if (child_ == 0) {
      ::close(report[0]);
      ::close(hold[1]);
      std::string result = "ok";
      std::vector<std::unique_ptr<RawClient>> held;
      if (::setgroups(0, nullptr) != 0 || ::setresgid(gid_, gid_, gid_) != 0 ||
          ::setresuid(uid_, uid_, uid_) != 0) {
        result = "cannot become the test user";
      }
      for (int i = 0; i < admitted && result == "ok"; ++i) {
        if (Status s = ConnectAndAsk(socket, held); !s.ok()) {
          result = "connection " + std::to_string(i + 1) + ": " + s.ToString();
        }
      }
      if (Status s = ExpectRefused(socket, limit); result == "ok" && !s.ok()) {
        result = s.ToString();
      }
      (void)!::write(report[1], result.data(), result.size());
      ::close(report[1]);
      char byte;
      while (::read(hold[0], &byte, 1) > 0) {
      }
      ::_exit(0);
    }
    ::close(report[1]);
    ::close(hold[0]);
    hold_ = hold[1];
    std::string result;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(report[0], buffer, sizeof(buffer))) > 0) result.append(buffer, n);
    ::close(report[0]);
    return result;
  }

  void ReleaseUser() {
    if (hold_ >= 0) ::close(hold_);
    hold_ = -1;
    if (child_ > 0) ::waitpid(child_, nullptr, 0);
    child_ = -1;
  }

  void TearDown() override { ReleaseUser(); }

  uid_t uid_ = 0;
  gid_t gid_ = 0;
  pid_t child_ = -1;
  int hold_ = -1;
};

TEST_F(ConnectionCap, AUserHoldsUpToItsCapAndRootStillConnects) {
  auto daemon = StartDaemon("max_connections_per_user = 4\n");
  ASSERT_TRUE(daemon->started());
  EXPECT_EQ(HoldAsUser(daemon->socket(), 4, "limits.max_connections_per_user"), "ok")
      << daemon->Log();
  // Root has no per-user cap.
  std::vector<std::unique_ptr<RawClient>> root;
  for (int i = 0; i < 6; ++i) {
    Status s = ConnectAndAsk(daemon->socket(), root);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  ReleaseUser();
}

TEST_F(ConnectionCap, UsersCannotTakeTheConnectionsKeptForRoot) {
  // 16 connections, the last one kept for root and hfd's own user.
  auto daemon = StartDaemon("max_connections = 16\nmax_connections_per_user = 64\n");
  ASSERT_TRUE(daemon->started());
  EXPECT_EQ(HoldAsUser(daemon->socket(), 15, "kept for root"), "ok") << daemon->Log();
  std::vector<std::unique_ptr<RawClient>> root;
  Status s = ConnectAndAsk(daemon->socket(), root);
  EXPECT_TRUE(s.ok()) << s.ToString();
  s = ExpectRefused(daemon->socket(), "limits.max_connections");
  EXPECT_TRUE(s.ok()) << s.ToString();
  ReleaseUser();
}

}  // namespace
}  // namespace hfd::testing
