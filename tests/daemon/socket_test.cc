// hfd binding its own socket: serving, shutting down, stale and live socket files.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "hfd/client.h"
#include "tests/daemon/harness.h"
#include "tests/support/fixtures.h"

namespace hfd::testing {
namespace {

using namespace std::chrono_literals;

TEST(SelfBoundSocket, ServesStatusWithItsOwnDetails) {
  DaemonFixture daemon;
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  auto client = client::Client::Connect(daemon.socket());
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto status = (*client)->Call("status");
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ((*status)["activation"], "self-bound");
  EXPECT_EQ((*status)["socket"], daemon.socket());
  EXPECT_EQ((*status)["pid"], daemon.process().pid());
  EXPECT_EQ((*status)["protocol_version"], 1);
  EXPECT_EQ((*status)["backends"][0]["name"], "cpu");
  EXPECT_EQ((*status)["backends"][0]["available"], true);
  struct stat st {};
  ASSERT_EQ(::stat(daemon.socket().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
}

TEST(SelfBoundSocket, SigtermStopsCleanlyAndRemovesTheSocket) {
  DaemonFixture daemon;
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  EXPECT_EQ(daemon.process().Terminate(), std::optional<int>(0)) << daemon.Log();
  EXPECT_FALSE(std::filesystem::exists(daemon.socket()));
}

TEST(SelfBoundSocket, StaleSocketOfAKilledDaemonIsReplaced) {
  DaemonFixture first;
  ASSERT_TRUE(first.started()) << first.Log();
  first.process().Kill();
  ASSERT_TRUE(first.process().WaitExit(20s).has_value());
  ASSERT_TRUE(std::filesystem::exists(first.socket())) << "a killed daemon leaves its socket";
  auto second = ChildProcess::Start({BinaryFromEnv("HFD_BIN"), "--socket", first.socket()},
                                    {"HFD_CONFIG=/dev/null"}, first.dir() / "second.log");
  ASSERT_TRUE(WaitForSocket(first.socket(), 30s));
  auto client = client::Client::Connect(first.socket());
  ASSERT_TRUE(client.ok());
  auto status = (*client)->Call("status");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ((*status)["pid"], second->pid());
  EXPECT_EQ(second->Terminate(), std::optional<int>(0));
}

TEST(SelfBoundSocket, ALiveDaemonsSocketIsNotStolen) {
  DaemonFixture first;
  ASSERT_TRUE(first.started()) << first.Log();
  auto second = ChildProcess::Start({BinaryFromEnv("HFD_BIN"), "--socket", first.socket()},
                                    {"HFD_CONFIG=/dev/null"}, first.dir() / "second.log");
  const std::optional<int> exit_code = second->WaitExit(30s);
  ASSERT_TRUE(exit_code.has_value());
  EXPECT_NE(*exit_code, 0);
  auto client = client::Client::Connect(first.socket());
  ASSERT_TRUE(client.ok());
  auto status = (*client)->Call("status");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ((*status)["pid"], first.process().pid());
}

TEST(SelfBoundSocket, AFileThatIsNotASocketIsLeftAlone) {
  TempDir dir;
  const std::filesystem::path path = dir.path() / "not-a-socket";
  std::ofstream(path) << "precious";
  auto hfd = ChildProcess::Start({BinaryFromEnv("HFD_BIN"), "--socket", path.string()},
                                 {"HFD_CONFIG=/dev/null"}, dir.path() / "hfd.log");
  const std::optional<int> exit_code = hfd->WaitExit(30s);
  ASSERT_TRUE(exit_code.has_value());
  EXPECT_NE(*exit_code, 0);
  EXPECT_TRUE(std::filesystem::is_regular_file(path));
}

}  // namespace
}  // namespace hfd::testing
