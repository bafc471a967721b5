// SafeDir and RepoCache against a cache another local user has tampered with: symlinked
// folders, links that lead out, FIFOs, and failures that must not leave temporary files.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "hub/cache_admin.h"
#include "hub/repo_cache.h"
#include "hub/safe_dir.h"
#include "tests/support/fixtures.h"

namespace hfd::hub {
namespace {

namespace fs = std::filesystem;
using ::hfd::testing::ReadFileOrFail;
using ::hfd::testing::TempDir;

const std::string kCommit(40, 'c');

void ExpectRefusal(const Status& status, const fs::path& named) {
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied) << status.ToString();
  EXPECT_NE(status.message().find(named.string()), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("remove it"), std::string::npos) << status.message();
}

TEST(SafeDirTest, OpenDirRefusesASymlinkedOrNonFolderComponent) {
  TempDir tmp;
  fs::create_directories(tmp.path() / "root");
  fs::create_directories(tmp.path() / "outside");
  fs::create_directory_symlink(tmp.path() / "outside", tmp.path() / "root/link");
  std::ofstream(tmp.path() / "root/file") << "x";
  auto root = SafeDir::Open(tmp.path() / "root", false);
  ASSERT_TRUE(root.ok());

  ExpectRefusal(root->OpenDir("link/sub", true).status(), tmp.path() / "root/link");
  EXPECT_FALSE(fs::exists(tmp.path() / "outside/sub"));
  ExpectRefusal(root->OpenDir("file/sub", true).status(), tmp.path() / "root/file");
  EXPECT_EQ(root->OpenDir("missing", false).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(root->OpenDir("a/../b", true).status().code(), ErrorCode::kInvalidArgument);
  auto made = root->OpenDir("a/b", true);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_EQ(made->path(), tmp.path() / "root/a/b");
  EXPECT_TRUE(fs::is_directory(tmp.path() / "root/a/b"));
}

TEST(SafeDirTest, OpenFileFollowsSymlinksOnlyInsideAndOnlyWhenAsked) {
  TempDir tmp;
  fs::create_directories(tmp.path() / "root/sub");
  std::ofstream(tmp.path() / "root/inside.txt") << "inside";
  std::ofstream(tmp.path() / "outside.txt") << "secret";
  fs::create_symlink("../inside.txt", tmp.path() / "root/sub/to_inside");
  fs::create_symlink("../../outside.txt", tmp.path() / "root/sub/relative_out");
  fs::create_symlink(tmp.path() / "outside.txt", tmp.path() / "root/sub/absolute_out");
  auto root = SafeDir::Open(tmp.path() / "root", false);
  ASSERT_TRUE(root.ok());

  auto inside = root->OpenFile("sub/to_inside", O_RDONLY, Links::kFollowInside);
  ASSERT_TRUE(inside.ok()) << inside.status().ToString();
  auto text = ReadRegularFile(inside->get(), 100, "inside");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "inside");
  for (const char* out : {"sub/relative_out", "sub/absolute_out"}) {
    ExpectRefusal(root->OpenFile(out, O_RDONLY, Links::kFollowInside).status(),
                  tmp.path() / "root" / out);
  }
  ExpectRefusal(root->OpenFile("sub/to_inside", O_RDONLY, Links::kRefuse).status(),
                tmp.path() / "root/sub/to_inside");
  // O_CREAT through a dangling link creates nothing at its target.
  fs::create_symlink(tmp.path() / "created.txt", tmp.path() / "root/dangling");
  ExpectRefusal(root->OpenFile("dangling", O_RDWR | O_CREAT, Links::kRefuse).status(),
                tmp.path() / "root/dangling");
  EXPECT_FALSE(fs::exists(tmp.path() / "created.txt"));
  EXPECT_EQ(root->OpenFile("nothing", O_RDONLY, Links::kRefuse).status().code(),
            ErrorCode::kNotFound);
}

TEST(SafeDirTest, ReadRegularFileRefusesAFifoAndAnOversizedFileWithoutBlocking) {
  TempDir tmp;
  ASSERT_EQ(::mkfifo((tmp.path() / "fifo").c_str(), 0600), 0);
  std::ofstream(tmp.path() / "big") << std::string(2000, 'x');
  auto root = SafeDir::Open(tmp.path(), false);
  ASSERT_TRUE(root.ok());
  auto fifo = root->OpenFile("fifo", O_RDONLY | O_NONBLOCK, Links::kRefuse);
  ASSERT_TRUE(fifo.ok()) << fifo.status().ToString();
  EXPECT_EQ(ReadRegularFile(fifo->get(), 100, "fifo").status().code(), ErrorCode::kCorrupt);
  auto big = root->OpenFile("big", O_RDONLY, Links::kRefuse);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(ReadRegularFile(big->get(), 1000, "big").status().code(), ErrorCode::kTooLarge);
  EXPECT_EQ(ReadRegularFile(big->get(), 2000, "big")->size(), 2000u);
}

TEST(SafeDirTest, RemoveTreeRemovesLinksNotWhatTheyPointAt) {
  TempDir tmp;
  fs::create_directories(tmp.path() / "root/tree/sub");
  fs::create_directories(tmp.path() / "outside");
  std::ofstream(tmp.path() / "outside/keep.txt") << "keep";
  std::ofstream(tmp.path() / "root/tree/sub/f") << "f";
  fs::create_directory_symlink(tmp.path() / "outside", tmp.path() / "root/tree/sub/dir_link");
  fs::create_symlink(tmp.path() / "outside/keep.txt", tmp.path() / "root/tree/file_link");
  auto root = SafeDir::Open(tmp.path() / "root", false);
  ASSERT_TRUE(root.ok());
  ASSERT_TRUE(root->RemoveTree("tree").ok());
  EXPECT_FALSE(fs::exists(tmp.path() / "root/tree"));
  EXPECT_EQ(ReadFileOrFail(tmp.path() / "outside/keep.txt"), "keep");
  EXPECT_TRUE(root->RemoveTree("tree").ok());  // absent is fine
}

TEST(SafeDirTest, FailedAtomicWritesLeaveNoTemporaryFile) {
  TempDir tmp;
  RepoCache cache(tmp.path(), "org/name");
  ASSERT_TRUE(cache.EnsureDirs().ok());
  // refs/main is a folder that is not empty: the final rename(2) fails.
  fs::create_directories(cache.ref_path("main") / "x");
  EXPECT_FALSE(cache.WriteRef("main", kCommit).ok());
  // snapshots/{commit}/f is such a folder too: placing the link fails.
  fs::create_directories(cache.snapshot_dir(kCommit) / "f/x");
  EXPECT_FALSE(cache.LinkSnapshotFile(kCommit, "f", "e1").ok());
  for (const fs::path& dir : {cache.repo_dir() / "refs", cache.snapshot_dir(kCommit)}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      EXPECT_FALSE(entry.path().filename().string().starts_with(".")) << entry.path();
    }
  }
}

TEST(RepoCacheTest, SymlinkedCacheFoldersAreRefusedNamingThem) {
  for (const std::string folder :
       {"models--org--name", "models--org--name/blobs", "models--org--name/snapshots",
        "models--org--name/refs", ".locks", ".locks/models--org--name"}) {
    TempDir tmp;
    const fs::path cache_dir = tmp.path() / "hub";
    fs::create_directories((cache_dir / folder).parent_path());
    fs::create_directories(tmp.path() / "outside");
    fs::create_directory_symlink(tmp.path() / "outside", cache_dir / folder);
    const RepoCache cache(cache_dir, "org/name");
    ExpectRefusal(cache.EnsureDirs(), cache_dir / folder);
    ExpectRefusal(cache.CheckDirs(), cache_dir / folder);
    ExpectRefusal(PlanRemoval(cache_dir, *ParseModelRef("org/name")).status(), cache_dir / folder);
    EXPECT_TRUE(fs::is_empty(tmp.path() / "outside")) << folder;
  }
}

TEST(RepoCacheTest, SnapshotLinksAndRefsThatLeadOutAreNotTrusted) {
  TempDir tmp;
  RepoCache cache(tmp.path() / "hub", "org/name");
  ASSERT_TRUE(cache.EnsureDirs().ok());
  std::ofstream(cache.blob_path("e1")) << "model";
  ASSERT_TRUE(cache.LinkSnapshotFile(kCommit, "config.json", "e1").ok());
  EXPECT_TRUE(cache.HasSnapshotFile(kCommit, "config.json"));
  EXPECT_EQ(*cache.ReadSnapshotFile(kCommit, "config.json", 100), "model");

  std::ofstream(tmp.path() / "secret") << kCommit;
  const fs::path link = cache.snapshot_dir(kCommit) / "config.json";
  fs::remove(link);
  fs::create_symlink("../../../../secret", link);
  EXPECT_FALSE(cache.HasSnapshotFile(kCommit, "config.json"));
  EXPECT_TRUE(cache.ListSnapshotFiles(kCommit).empty());
  ExpectRefusal(cache.ReadSnapshotFile(kCommit, "config.json", 100).status(), link);

  fs::create_symlink(tmp.path() / "secret", cache.ref_path("main"));
  ExpectRefusal(cache.ReadRef("main").status(), cache.ref_path("main"));
  // Writing the ref replaces the link itself, never the file it points at.
  ASSERT_TRUE(cache.WriteRef("main", std::string(40, 'd')).ok());
  EXPECT_FALSE(fs::is_symlink(cache.ref_path("main")));
  EXPECT_EQ(ReadFileOrFail(tmp.path() / "secret"), kCommit);
}

}  // namespace
}  // namespace hfd::hub
