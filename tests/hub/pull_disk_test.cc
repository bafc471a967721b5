// The disk side of a pull: free space checked (with statvfs) before downloading, and a
// write failure in the middle of a download failing cleanly with the partial file kept.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include "tests/hub/pull_test_base.h"

namespace hfd::hub::testing {
namespace {

namespace fs = std::filesystem;

class PullDiskTest : public PullTestBase {
 protected:
  // Runs tests/hub's pull helper on `model` with RLIMIT_FSIZE at `max_file_bytes` and
  // SIGXFSZ ignored, so a write past the limit fails with EFBIG the way a write to a full
  // disk fails with ENOSPC (both reach the same error path). Returns the exit code and
  // what the helper wrote to stderr.
  std::pair<int, std::string> PullWithFileSizeLimit(const std::string& model,
                                                    rlim_t max_file_bytes) {
    const fs::path err = scratch_.path() / "helper.err";
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0 || ::dup2(fd, STDERR_FILENO) < 0) _exit(126);
      const rlimit limit{max_file_bytes, max_file_bytes};
      if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(126);
      ::signal(SIGXFSZ, SIG_IGN);  // kept across exec
      ::setenv("HF_ENDPOINT", hub_.endpoint().c_str(), 1);
      ::setenv("HF_HUB_CACHE", cache_dir().c_str(), 1);
      ::setenv("HF_HOME", cache_dir().parent_path().c_str(), 1);
      ::unsetenv("HF_TOKEN");
      ::execl(HFD_PULL_HELPER, HFD_PULL_HELPER, model.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return {code, ::hfd::testing::ReadFileOrFail(err)};
  }

  std::vector<fs::path> Incomplete(const std::string& repo) const {
    std::vector<fs::path> out;
    const RepoCache cache(cache_dir(), repo);
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(cache.blobs_dir(), ec)) {
      if (e.path().extension() == ".incomplete") out.push_back(e.path());
    }
    return out;
  }

 private:
  ::hfd::testing::TempDir scratch_;
};

TEST_F(PullDiskTest, NotEnoughFreeSpaceIsRefusedBeforeDownloading) {
  AddTinyModel("org/huge", "main", 1000);
  // The listing claims 1 EiB of weights: more than the cache's filesystem has free, as
  // statvfs reports it.
  const uint64_t claimed = uint64_t{1} << 60;
  hub_.SetRepoSettings("org/huge", {{"listed_sizes", {{"model.safetensors", claimed}}}});
  auto refused = Pull("org/huge");
  ASSERT_EQ(refused.status().code(), ErrorCode::kIo) << refused.status().ToString();
  const std::string message = refused.status().message();
  EXPECT_NE(message.find("not enough disk space"), std::string::npos) << message;
  EXPECT_NE(message.find("the download needs 1048576.0 TiB ("), std::string::npos) << message;
  // The free figure is statvfs's (a few KiB may come and go between the two looks).
  struct statvfs vfs {};
  ASSERT_EQ(::statvfs(cache_dir().c_str(), &vfs), 0);
  const uint64_t free_now = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  const size_t at = message.find(" bytes) are free");
  ASSERT_NE(at, std::string::npos) << message;
  const size_t open = message.rfind('(', at);
  const uint64_t reported = std::stoull(message.substr(open + 1, at - open - 1));
  EXPECT_NEAR(static_cast<double>(reported), static_cast<double>(free_now), 256.0 * (1 << 20));
  EXPECT_NE(message.find("--force"), std::string::npos);
  EXPECT_TRUE(hub_.Requests("resolve").empty());  // not even config.json was fetched
  EXPECT_TRUE(Incomplete("org/huge").empty());
}

TEST_F(PullDiskTest, WriteFailureMidDownloadKeepsThePartialFileForResume) {
  constexpr size_t kWeights = 3 << 20;
  constexpr rlim_t kLimit = 1 << 20;
  AddTinyModel("org/tiny", "main", kWeights);
  const auto [code, err] = PullWithFileSizeLimit("org/tiny", kLimit);
  ASSERT_EQ(code, 1) << err;
  EXPECT_NE(err.find("File too large"), std::string::npos) << err;
  EXPECT_NE(err.find("partial download kept for resume"), std::string::npos) << err;
  ASSERT_EQ(hub_.Requests("storage").size(), 1u);  // a write error is not retried

  const std::vector<fs::path> partial = Incomplete("org/tiny");
  ASSERT_EQ(partial.size(), 1u);
  EXPECT_EQ(fs::file_size(partial[0]), kLimit);
  const RepoCache cache(cache_dir(), "org/tiny");
  EXPECT_FALSE(fs::exists(cache.blob_path(partial[0].stem().string())));

  ExpectPullResumesFrom("org/tiny", kLimit, kWeights);
  EXPECT_TRUE(Incomplete("org/tiny").empty());
}

}  // namespace
}  // namespace hfd::hub::testing
