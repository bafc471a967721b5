// Several pullers of one model, in threads and in processes, and a puller killed with
// SIGKILL in the middle of a download.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "hub/file_lock.h"

#include "tests/hub/pull_test_base.h"

namespace hfd::hub::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class PullConcurrencyTest : public PullTestBase {
 protected:
  // Starts tests/hub's pull helper on `model` with this test's endpoint and cache.
  pid_t SpawnHelper(const std::string& model) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::setenv("HF_ENDPOINT", hub_.endpoint().c_str(), 1);
      ::setenv("HF_HUB_CACHE", cache_dir().c_str(), 1);
      ::setenv("HF_HOME", cache_dir().parent_path().c_str(), 1);
      ::unsetenv("HF_TOKEN");
      ::execl(HFD_PULL_HELPER, HFD_PULL_HELPER, model.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    return pid;
  }

  static int WaitExit(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

  size_t WeightDownloads() { return hub_.Requests("storage").size(); }
};

constexpr size_t kBig = 8 << 20;

TEST_F(PullConcurrencyTest, TwoThreadsShareOneDownload) {
  AddTinyModel("org/tiny", "main", kBig);
  hub_.SetFaults(json::array({{{"kind", "slow"}, {"server", "storage"}, {"rate", 20000000}}}));
  Result<PullResult> a = Internal("not run");
  Result<PullResult> b = Internal("not run");
  std::thread ta([&] { a = Pull("org/tiny"); });
  std::thread tb([&] { b = Pull("org/tiny"); });
  ta.join();
  tb.join();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(a->commit, b->commit);
  EXPECT_EQ(WeightDownloads(), 1u);
  EXPECT_EQ(a->downloaded_bytes + b->downloaded_bytes < 2 * kBig, true);
  EXPECT_EQ(ReadSnapshotFile(*b, "model.safetensors").size(), kBig);
}

TEST_F(PullConcurrencyTest, TwoProcessesShareOneDownload) {
  AddTinyModel("org/tiny", "main", kBig);
  hub_.SetFaults(json::array({{{"kind", "slow"}, {"server", "storage"}, {"rate", 20000000}}}));
  const pid_t first = SpawnHelper("org/tiny");
  const pid_t second = SpawnHelper("org/tiny");
  EXPECT_EQ(WaitExit(first), 0);
  EXPECT_EQ(WaitExit(second), 0);
  EXPECT_EQ(WeightDownloads(), 1u);
  auto check = Pull("org/tiny");
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->from_cache);
}

TEST_F(PullConcurrencyTest, SigkillMidDownloadLeavesNothingCompleteAndTheNextPullResumes) {
  AddTinyModel("org/tiny", "main", kBig);
  hub_.SetFaults(json::array({{{"kind", "slow"}, {"server", "storage"}, {"rate", 2000000}}}));
  const RepoCache cache(cache_dir(), "org/tiny");
  const pid_t helper = SpawnHelper("org/tiny");
  fs::path incomplete;
  uint64_t size = 0;
  for (int i = 0; i < 3000 && size < 500000; ++i) {  // up to 30 s on a loaded machine
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(cache.blobs_dir(), ec)) {
      // The weights' partial file (an LFS sha256 name), not a small JSON file's.
      if (e.path().extension() == ".incomplete" && e.path().stem().string().size() == 64) {
        incomplete = e.path();
      }
    }
    if (!incomplete.empty()) size = fs::file_size(incomplete, ec);
  }
  ::kill(helper, SIGKILL);
  EXPECT_EQ(WaitExit(helper), -SIGKILL);
  ASSERT_FALSE(incomplete.empty());
  const uint64_t kept = fs::file_size(incomplete);
  ASSERT_GT(kept, 0u);
  ASSERT_LT(kept, kBig);
  // No complete-looking file: the weights have no blob and no snapshot entry.
  const std::string blob = incomplete.stem();
  EXPECT_FALSE(fs::exists(cache.blob_path(blob)));
  for (const auto& snap : fs::directory_iterator(cache.repo_dir() / "snapshots")) {
    EXPECT_FALSE(fs::exists(snap.path() / "model.safetensors"));
  }

  ExpectPullResumesFrom("org/tiny", kept, kBig);
}

TEST_F(PullConcurrencyTest, PullsOfOneBlobJoinOneTransferThatOutlivesACancelledWaiter) {
  AddTinyModel("org/tiny", "main", kBig);
  hub_.SetFaults(json::array({{{"kind", "slow"}, {"server", "storage"}, {"rate", 2000000}}}));
  const Puller puller(Config(), {});
  const ModelRef ref = *ParseModelRef("org/tiny");
  std::atomic<bool> joiner_receiving{false};
  std::atomic<bool> cancel_starter{false};
  Result<PullResult> starter = Internal("not run");
  Result<PullResult> joiner = Internal("not run");
  std::vector<PullProgress> joiner_progress;
  std::thread a([&] {
    starter = puller.Pull(
        ref, Options(),
        [&](const PullProgress& p) {
          // Leave only once the other pull receives the same transfer's bytes.
          if (p.file == "model.safetensors" && p.file_bytes > (1 << 20) && joiner_receiving) {
            cancel_starter = true;
          }
        },
        &cancel_starter);
  });
  std::thread b([&] {
    joiner = puller.Pull(
        ref, Options(),
        [&](const PullProgress& p) {
          if (p.file == "model.safetensors" && p.file_bytes > 0) joiner_receiving = true;
          joiner_progress.push_back(p);
        },
        nullptr);
  });
  a.join();
  b.join();
  ASSERT_EQ(starter.status().code(), ErrorCode::kCancelled) << starter.status().ToString();
  ASSERT_TRUE(joiner.ok()) << joiner.status().ToString();
  EXPECT_EQ(ReadSnapshotFile(*joiner, "model.safetensors").size(), kBig);
  // One transfer of the weights: the waiter that left did not stop it, and nothing was
  // asked again with a Range.
  const auto storage = hub_.Requests("storage");
  ASSERT_EQ(storage.size(), 1u);
  EXPECT_TRUE(storage[0]["range"].is_null());
  ASSERT_FALSE(joiner_progress.empty());
  EXPECT_EQ(joiner_progress.back().bytes, joiner->total_bytes);
}

TEST_F(PullConcurrencyTest, WaitingForAnotherProcessesLockIsCancellable) {
  AddTinyModel("org/tiny", "main", 1000);
  auto first = Pull("org/tiny");  // fetches the weights' sha; its blob is then removed
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const RepoCache cache(cache_dir(), "org/tiny");
  const std::string weights =
      fs::read_symlink(first->snapshot_dir / "model.safetensors").filename();
  fs::remove_all(cache.repo_dir());
  ASSERT_TRUE(cache.EnsureDirs().ok());
  auto locks = cache.OpenLocks();
  ASSERT_TRUE(locks.ok());
  auto held = FileLock::TryAcquire(*locks, weights + ".lock");  // as another process would
  ASSERT_TRUE(held.ok() && held->has_value());

  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel = true;
  });
  const auto start = std::chrono::steady_clock::now();
  auto waited = MakePuller().Pull(*ParseModelRef("org/tiny"), Options(), {}, &cancel);
  const auto took = std::chrono::steady_clock::now() - start;
  canceller.join();
  EXPECT_EQ(waited.status().code(), ErrorCode::kCancelled) << waited.status().ToString();
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_EQ(hub_.Requests("storage").size(), 1u);  // only the first pull's

  held->reset();
  ASSERT_TRUE(Pull("org/tiny").ok());
}

}  // namespace
}  // namespace hfd::hub::testing
