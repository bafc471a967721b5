// Joined pulls through hfctl and a real daemon: a second `hfctl pull` of a model being
// pulled attaches to the running transfer (one request to the Hub's storage, progress for
// both), and Ctrl-C detaches one client while the other keeps the download going; the
// last client's Ctrl-C stops it, saying that a new pull resumes it.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/hub/daemon_hub_fixture.h"

namespace hfd::hub::testing {
namespace {

using ::hfd::testing::ChildProcess;
using nlohmann::json;
using std::chrono::seconds;

class DaemonJoinedPullTest : public DaemonHubTest {
 protected:
  // `hfctl --json pull org/tiny` running in the background, its output in a log file.
  struct Puller {
    std::filesystem::path log;
    std::unique_ptr<ChildProcess> process;

    std::string Output() const {
      std::ifstream in(log);
      std::ostringstream text;
      text << in.rdbuf();
      return text.str();
    }
    // The `bytes` of each progress line printed so far.
    std::vector<uint64_t> ProgressBytes() const {
      std::vector<uint64_t> bytes;
      for (const json& line : JsonLines(Output())) {
        if (line.is_object() && line.contains("progress")) {
          bytes.push_back(line["progress"].value("bytes", uint64_t{0}));
        }
      }
      return bytes;
    }
    bool Downloading() const {
      const std::vector<uint64_t> bytes = ProgressBytes();
      return !bytes.empty() && bytes.back() > 0;
    }
  };

  Puller StartPull(const std::string& name) {
    Puller p;
    p.log = cache_.path() / (name + ".log");
    p.process = ChildProcess::Start(HfctlArgv({"--json", "pull", "org/tiny"}), {}, p.log);
    return p;
  }

  // Waits until `done` holds (generous: a bound that turns a hang into a failure).
  static bool Eventually(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + seconds(60);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }

  size_t StorageRequests() {
    size_t n = 0;
    for (const json& r : hub_.Requests("storage")) n += r["status"].get<int>() < 300;
    return n;
  }

  void Throttle(int bytes_per_second) {
    hub_.SetFaults(json::array(
        {{{"kind", "slow"}, {"server", "storage"}, {"rate", bytes_per_second}, {"count", -1}}}));
  }
};

// True when `bytes` has at least two reports and never goes down.
bool Increasing(const std::vector<uint64_t>& bytes) {
  return bytes.size() >= 2 && std::is_sorted(bytes.begin(), bytes.end()) &&
         bytes.back() > bytes.front();
}

TEST_F(DaemonJoinedPullTest, ASecondPullAttachesToTheRunningTransfer) {
  Throttle(2'000'000);  // 3 MiB of weights: about 1.5 s
  Puller first = StartPull("first");
  ASSERT_TRUE(Eventually([&] { return first.Downloading(); })) << first.Output();
  Puller second = StartPull("second");
  ASSERT_TRUE(Eventually([&] {
    return second.Output().find("joined the running pull") != std::string::npos;
  })) << second.Output();
  const json pulls = json::parse(Hfctl({"--json", "pulls"}).out)["pulls"];
  ASSERT_EQ(pulls.size(), 1u) << pulls.dump();
  if (pulls[0]["state"] == "running") {
    EXPECT_EQ(pulls[0]["clients"], 2) << pulls.dump();
  }

  EXPECT_EQ(first.process->WaitExit(seconds(60)), std::optional<int>(0)) << first.Output();
  EXPECT_EQ(second.process->WaitExit(seconds(60)), std::optional<int>(0)) << second.Output();
  EXPECT_EQ(StorageRequests(), 1u);
  EXPECT_TRUE(Increasing(first.ProgressBytes())) << first.Output();
  const std::vector<uint64_t> joined = second.ProgressBytes();
  EXPECT_TRUE(Increasing(joined)) << second.Output();
  // Its first report is where the transfer was, not a stream of its own from zero.
  ASSERT_FALSE(joined.empty());
  EXPECT_GT(joined.front(), 0u) << second.Output();
  const json result = JsonLines(second.Output()).back()["result"];
  EXPECT_TRUE(result["joined"].get<bool>()) << result.dump();
  EXPECT_EQ(result["total_bytes"], JsonLines(first.Output()).back()["result"]["total_bytes"]);
}

TEST_F(DaemonJoinedPullTest, CtrlCDetachesOneClientAndTheLastOneStopsThePull) {
  Throttle(1'000'000);  // about 3 s
  Puller first = StartPull("first");
  ASSERT_TRUE(Eventually([&] { return first.Downloading(); })) << first.Output();
  Puller second = StartPull("second");
  ASSERT_TRUE(Eventually([&] { return second.Downloading(); })) << second.Output();

  ::kill(first.process->pid(), SIGINT);
  EXPECT_EQ(first.process->WaitExit(seconds(60)), std::optional<int>(1)) << first.Output();
  EXPECT_NE(first.Output().find("detached from the pull of org/tiny; it goes on for 1 other "
                                "client(s); `hfctl pull org/tiny` attaches to it again"),
            std::string::npos)
      << first.Output();
  EXPECT_EQ(second.process->WaitExit(seconds(60)), std::optional<int>(0)) << second.Output();
  EXPECT_EQ(StorageRequests(), 1u);

  ASSERT_EQ(Hfctl({"rm", "org/tiny"}).exit_code, 0);
  Puller last = StartPull("last");
  ASSERT_TRUE(Eventually([&] { return last.Downloading(); })) << last.Output();
  ::kill(last.process->pid(), SIGINT);
  EXPECT_EQ(last.process->WaitExit(seconds(60)), std::optional<int>(1)) << last.Output();
  EXPECT_NE(last.Output().find("pull of org/tiny cancelled; the partial download is kept and "
                               "`hfctl pull org/tiny` resumes it"),
            std::string::npos)
      << last.Output();
  ASSERT_TRUE(Eventually([&] {
    const json pulls = json::parse(Hfctl({"--json", "pulls"}).out)["pulls"];
    return !pulls.empty() && pulls[0]["state"] == "failed";
  }));
}

}  // namespace
}  // namespace hfd::hub::testing
