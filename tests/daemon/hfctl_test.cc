// hfctl against a real daemon: output formats and exit codes.
#include <gtest/gtest.h>

#include "tests/daemon/harness.h"

namespace hfd::testing {
namespace {

using nlohmann::json;

class Hfctl : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(daemon_.started()) << daemon_.Log(); }
  CommandResult Run(std::vector<std::string> args) {
    args.insert(args.begin(), {BinaryFromEnv("HFCTL_BIN"), "--socket", daemon_.socket()});
    return RunCommand(args);
  }
  DaemonFixture daemon_;
};

TEST_F(Hfctl, StatusJsonIsTheDaemonsResult) {
  CommandResult r = Run({"--json", "status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json status = json::parse(r.out);
  EXPECT_EQ(status["activation"], "self-bound");
  EXPECT_EQ(status["socket"], daemon_.socket());
  EXPECT_EQ(status["pid"], daemon_.process().pid());
}

TEST_F(Hfctl, StatusTextNamesVersionSocketAndBackends) {
  CommandResult r = Run({"status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("hfd " HFD_TEST_VERSION), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(daemon_.socket() + " (self-bound)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cpu (available"), std::string::npos) << r.out;
}

TEST_F(Hfctl, HealthThenHistoryWithLimit) {
  ASSERT_EQ(Run({"health"}).exit_code, 0);
  CommandResult health = Run({"health"});
  ASSERT_EQ(health.exit_code, 0);
  EXPECT_EQ(health.out.rfind("ok", 0), 0u) << health.out;
  CommandResult history = Run({"--json", "history", "--limit", "1"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  const json spans = json::parse(history.out)["spans"];
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0]["name"], "health");
  CommandResult table = Run({"history"});
  EXPECT_NE(table.out.find("DURATION"), std::string::npos);
}

TEST_F(Hfctl, MetricsPrintsTheExposition) {
  CommandResult r = Run({"metrics"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("# TYPE hfd_requests_total counter"), std::string::npos) << r.out;
}

TEST_F(Hfctl, ADaemonErrorExitsWithOne) {
  CommandResult r = Run({"history", "--name", std::string(200, 'x')});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("param 'name' must be at most 128 bytes"), std::string::npos) << r.err;
}

TEST(HfctlStandalone, UnreachableDaemonExitsWithThreeAndSaysHowToStartIt) {
  CommandResult r =
      RunCommand({BinaryFromEnv("HFCTL_BIN"), "--socket", "/nonexistent/hfd.sock", "status"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("systemctl --user start hfd.socket"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("run `hfd`"), std::string::npos) << r.err;
  CommandResult j = RunCommand(
      {BinaryFromEnv("HFCTL_BIN"), "--socket", "/nonexistent/hfd.sock", "--json", "status"});
  EXPECT_EQ(j.exit_code, 3);
  EXPECT_EQ(json::parse(j.out)["error"]["name"], "unavailable") << j.out;
}

TEST(HfctlStandalone, UsageErrorsExitWithTwo) {
  EXPECT_EQ(RunCommand({BinaryFromEnv("HFCTL_BIN")}).exit_code, 2);
  EXPECT_EQ(RunCommand({BinaryFromEnv("HFCTL_BIN"), "--bogus", "status"}).exit_code, 2);
  EXPECT_EQ(RunCommand({BinaryFromEnv("HFCTL_BIN"), "frobnicate"}).exit_code, 2);
  EXPECT_EQ(RunCommand({BinaryFromEnv("HFCTL_BIN"), "--help"}).exit_code, 0);
}

}  // namespace
}  // namespace hfd::testing
