// Pulls into a shared cache where another local user planted symlinks (issue 13, finding 6):
// the daemon must never write through them, nor put anything outside the cache, and a
// legitimate pull still works once the plant is gone (or replaces it where that is safe).
#include <gtest/gtest.h>

#include <fstream>

#include "hub/sha256.h"
#include "tests/hub/pull_test_base.h"

namespace hfd::hub::testing {
namespace {

namespace fs = std::filesystem;
using ::hfd::testing::ReadFileOrFail;

constexpr size_t kWeights = 300000;

class PullHostileCacheTest : public PullTestBase {
 protected:
  void SetUp() override {
    PullTestBase::SetUp();
    AddTinyModel("org/tiny", "main", kWeights);
    weights_sha_ =
        Sha256Hex(ReadFileOrFail(hub_.root() / "org/tiny/revisions/main/model.safetensors"));
    fs::create_directories(outside_.path() / "dir");
    std::ofstream(outside_.path() / "precious") << "the daemon's own file";
  }

  RepoCache cache() const { return RepoCache(cache_dir(), "org/tiny"); }
  fs::path outside(const std::string& name) const { return outside_.path() / name; }

  // A legitimate pull: it succeeds and the weights are a regular blob inside the cache.
  void ExpectCleanPull() {
    auto result = Pull("org/tiny");
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    const fs::path blob = cache().blob_path(weights_sha_);
    EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(blob))) << blob;
    EXPECT_EQ(fs::file_size(blob), kWeights);
    EXPECT_EQ(ReadSnapshotFile(*result, "model.safetensors").size(), kWeights);
  }

  void ExpectNothingOutsideChanged() {
    EXPECT_EQ(ReadFileOrFail(outside("precious")), "the daemon's own file");
    EXPECT_TRUE(fs::is_empty(outside("dir")));
    EXPECT_FALSE(fs::exists(outside("created")));
  }

  std::string weights_sha_;

 private:
  ::hfd::testing::TempDir outside_;
};

TEST_F(PullHostileCacheTest, PlantedIncompleteSymlinkIsReplacedNotWrittenThrough) {
  ASSERT_TRUE(cache().EnsureDirs().ok());
  const fs::path incomplete = cache().incomplete_path(weights_sha_);
  fs::create_symlink(outside("precious"), incomplete);
  ExpectCleanPull();
  ExpectNothingOutsideChanged();
  EXPECT_FALSE(fs::exists(fs::symlink_status(incomplete)));
  EXPECT_EQ(hub_.Requests("storage").size(), 1u);
}

TEST_F(PullHostileCacheTest, PlantedHardLinkedIncompleteFileIsNotResumed) {
  ASSERT_TRUE(cache().EnsureDirs().ok());
  const fs::path incomplete = cache().incomplete_path(weights_sha_);
  fs::create_hard_link(outside("precious"), incomplete);
  ExpectCleanPull();
  ExpectNothingOutsideChanged();
  // Downloaded from the start: the planted bytes were not taken as a partial download.
  const auto storage = hub_.Requests("storage");
  ASSERT_EQ(storage.size(), 1u);
  EXPECT_TRUE(storage[0]["range"].is_null());
}

TEST_F(PullHostileCacheTest, DanglingLockSymlinkIsRefusedAndCreatesNothing) {
  ASSERT_TRUE(cache().EnsureDirs().ok());
  const fs::path lock = cache().lock_path(weights_sha_);
  fs::create_symlink(outside("created"), lock);
  auto refused = Pull("org/tiny");
  ASSERT_EQ(refused.status().code(), ErrorCode::kPermissionDenied) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find(lock.string()), std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("remove it"), std::string::npos);
  ExpectNothingOutsideChanged();
  EXPECT_TRUE(hub_.Requests("storage").empty());

  fs::remove(lock);
  ExpectCleanPull();
}

TEST_F(PullHostileCacheTest, SymlinkedCacheFoldersAreRefusedAndNothingLandsOutside) {
  const std::string repo = RepoCache::FolderName("org/tiny");
  for (const std::string& folder : {repo, repo + "/blobs", repo + "/snapshots", repo + "/refs",
                                   std::string(".locks"), ".locks/" + repo}) {
    fs::remove_all(cache_dir());
    fs::create_directories((cache_dir() / folder).parent_path());
    fs::create_directory_symlink(outside("dir"), cache_dir() / folder);
    auto refused = Pull("org/tiny");
    ASSERT_EQ(refused.status().code(), ErrorCode::kPermissionDenied)
        << folder << ": " << refused.status().ToString();
    EXPECT_NE(refused.status().message().find((cache_dir() / folder).string() + ":"),
              std::string::npos)
        << refused.status().message();
    EXPECT_NE(refused.status().message().find("symlink"), std::string::npos);
    EXPECT_NE(refused.status().message().find("remove it"), std::string::npos);
    ExpectNothingOutsideChanged();
  }
  fs::remove_all(cache_dir());
  ExpectCleanPull();
}

TEST_F(PullHostileCacheTest, PlantedBlobSymlinkIsReplacedByARegularFile) {
  ASSERT_TRUE(cache().EnsureDirs().ok());
  // The same size as the weights, so a size check that followed the link would accept it.
  std::ofstream(outside("fake"), std::ios::binary) << std::string(kWeights, 'x');
  fs::create_symlink(outside("fake"), cache().blob_path(weights_sha_));
  ExpectCleanPull();
  EXPECT_EQ(ReadFileOrFail(outside("fake")), std::string(kWeights, 'x'));
  EXPECT_EQ(hub_.Requests("storage").size(), 1u);
}

TEST_F(PullHostileCacheTest, SnapshotLinkLeadingOutIsNotTakenAsCached) {
  auto first = Pull("org/tiny");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const fs::path link = first->snapshot_dir / "model.safetensors";
  std::ofstream(outside("fake"), std::ios::binary) << std::string(kWeights, 'x');
  fs::remove(link);
  fs::create_symlink(outside("fake"), link);
  hub_.Reset();
  // A pinned commit is answered from the cache when complete: the planted link must not
  // count, so the file is linked again to its blob.
  auto pinned = Pull("org/tiny@" + first->commit);
  ASSERT_TRUE(pinned.ok()) << pinned.status().ToString();
  EXPECT_EQ(fs::read_symlink(link), fs::path("../../blobs") / weights_sha_);
  EXPECT_EQ(ReadSnapshotFile(*pinned, "model.safetensors").size(), kWeights);
  EXPECT_TRUE(hub_.Requests("storage").empty());  // the blob itself was still there
}

}  // namespace
}  // namespace hfd::hub::testing
