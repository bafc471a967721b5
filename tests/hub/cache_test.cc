#include <gtest/gtest.h>

#include <fstream>

#include "hub/cache_admin.h"
#include "hub/file_lock.h"
#include "hub/local_snapshot.h"
#include "hub/path_safety.h"
#include "hub/repo_cache.h"
#include "hub/safe_dir.h"
#include "tests/support/fixtures.h"

namespace hfd::hub {
namespace {

namespace fs = std::filesystem;
using ::hfd::testing::TempDir;

const std::string kCommitA(40, 'a');
const std::string kCommitB(40, 'b');

void PutBlob(const RepoCache& cache, const std::string& etag, const std::string& content) {
  std::ofstream(cache.blob_path(etag)) << content;
}

// PlanRemoval then ExecuteRemoval of `model`.
Status Remove(const fs::path& cache_dir, const std::string& model) {
  HFD_ASSIGN_OR_RETURN(ModelRef ref, ParseModelRef(model));
  HFD_ASSIGN_OR_RETURN(RemovalPlan plan, PlanRemoval(cache_dir, ref));
  return ExecuteRemoval(cache_dir, plan);
}

TEST(PathSafetyTest, RefusesTraversalAbsoluteAndOddCharacters) {
  for (const char* bad : {"../../x", "/etc/x", "a/../b", "a//b", "./a", "a\\b", "a\nb", "", "a/"}) {
    Status s = ValidateRepoFilePath(bad);
    EXPECT_EQ(s.code(), ErrorCode::kPermissionDenied) << bad;
  }
  EXPECT_NE(ValidateRepoFilePath("../../x").message().find("'../../x'"), std::string::npos);
  for (const char* good : {"config.json", "onnx/model.onnx", "a b.txt", "..a", "x..y/z"}) {
    EXPECT_TRUE(ValidateRepoFilePath(good).ok()) << good;
  }
}

TEST(RepoCacheTest, LayoutMatchesHuggingfaceHub) {
  TempDir dir;
  RepoCache cache(dir.path(), "org/name");
  EXPECT_EQ(cache.repo_dir(), dir.path() / "models--org--name");
  EXPECT_EQ(cache.lock_path("abc"), dir.path() / ".locks/models--org--name/abc.lock");
  EXPECT_EQ(RepoCache::RepoIdFromFolder("models--org--name"), "org/name");
  EXPECT_EQ(RepoCache::RepoIdFromFolder("datasets--x--y"), std::nullopt);
  ASSERT_TRUE(cache.EnsureDirs().ok());
  PutBlob(cache, "e1", "hello");
  ASSERT_TRUE(cache.LinkSnapshotFile(kCommitA, "sub/dir/f.txt", "e1").ok());
  const fs::path link = cache.snapshot_dir(kCommitA) / "sub/dir/f.txt";
  ASSERT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(fs::read_symlink(link), "../../../../blobs/e1");
  EXPECT_TRUE(cache.HasSnapshotFile(kCommitA, "sub/dir/f.txt"));
  EXPECT_FALSE(cache.HasSnapshotFile(kCommitA, "missing"));
  EXPECT_EQ(cache.ListSnapshotFiles(kCommitA), std::vector<std::string>{"sub/dir/f.txt"});
  EXPECT_FALSE(cache.LinkSnapshotFile(kCommitA, "../evil", "e1").ok());
  EXPECT_FALSE(cache.LinkSnapshotFile(kCommitA, "ok", "../e1").ok());
}

TEST(RepoCacheTest, RefsRoundTrip) {
  TempDir dir;
  RepoCache cache(dir.path(), "org/name");
  ASSERT_TRUE(cache.EnsureDirs().ok());
  auto none = cache.ReadRef("main");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(cache.WriteRef("refs/pr/3", kCommitA).ok());
  auto pr = cache.ReadRef("refs/pr/3");
  ASSERT_TRUE(pr.ok());
  EXPECT_EQ(**pr, kCommitA);
  EXPECT_TRUE(fs::exists(cache.repo_dir() / "refs/refs/pr/3"));
  EXPECT_FALSE(cache.WriteRef("../x", kCommitA).ok());
  std::ofstream(cache.ref_path("bad")) << "not a sha";
  EXPECT_EQ(cache.ReadRef("bad").status().code(), ErrorCode::kCorrupt);
}

TEST(FileLockTest, ASecondLockIsRefusedUntilTheFirstIsReleased) {
  TempDir tmp;
  auto dir = SafeDir::Open(tmp.path(), false);
  ASSERT_TRUE(dir.ok());
  auto first = FileLock::TryAcquire(*dir, "x.lock");
  ASSERT_TRUE(first.ok() && first->has_value());
  // flock excludes a second open file, even in one process.
  auto second = FileLock::TryAcquire(*dir, "x.lock");
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->has_value());
  first->reset();
  auto third = FileLock::TryAcquire(*dir, "x.lock");
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third->has_value());
}

TEST(FileLockTest, ASymlinkedLockFileIsRefusedAndNothingIsCreatedThroughIt) {
  TempDir tmp;
  fs::create_directories(tmp.path() / "locks");
  fs::create_symlink(tmp.path() / "outside.lock", tmp.path() / "locks/x.lock");
  auto dir = SafeDir::Open(tmp.path() / "locks", false);
  ASSERT_TRUE(dir.ok());
  const Status refused = FileLock::TryAcquire(*dir, "x.lock").status();
  EXPECT_EQ(refused.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(refused.message().find((tmp.path() / "locks/x.lock").string()), std::string::npos)
      << refused.message();
  EXPECT_NE(refused.message().find("remove it"), std::string::npos) << refused.message();
  EXPECT_FALSE(fs::exists(tmp.path() / "outside.lock"));
}

TEST(LocalSnapshotTest, CompleteOnlyWhenEveryIndexedShardIsPresent) {
  TempDir dir;
  RepoCache cache(dir.path(), "org/name");
  ASSERT_TRUE(cache.EnsureDirs().ok());
  PutBlob(cache, "cfg", "{}");
  PutBlob(cache, "idx", R"({"weight_map": {"a": "model-00001-of-00002.safetensors",
                                           "b": "model-00002-of-00002.safetensors"}})");
  PutBlob(cache, "w1", "w1");
  PutBlob(cache, "w2", "w2");
  ASSERT_TRUE(cache.LinkSnapshotFile(kCommitA, "config.json", "cfg").ok());
  ASSERT_TRUE(cache.LinkSnapshotFile(kCommitA, "model.safetensors.index.json", "idx").ok());
  ASSERT_TRUE(cache.LinkSnapshotFile(kCommitA, "model-00001-of-00002.safetensors", "w1").ok());
  const SelectionRequest request{"org/name", "", {}, {}};
  EXPECT_FALSE(CompleteLocalSelection(cache, kCommitA, request).has_value());
  ASSERT_TRUE(cache.LinkSnapshotFile(kCommitA, "model-00002-of-00002.safetensors", "w2").ok());
  auto files = CompleteLocalSelection(cache, kCommitA, request);
  ASSERT_TRUE(files.has_value());
  EXPECT_EQ(files->files.size(), 4u);
  EXPECT_FALSE(CompleteLocalSelection(cache, kCommitB, request).has_value());
}

TEST(CacheAdminTest, ListsAndRemovesRevisionsKeepingSharedBlobs) {
  TempDir dir;
  RepoCache cache(dir.path(), "org/name");
  ASSERT_TRUE(cache.EnsureDirs().ok());
  PutBlob(cache, "shared", "12345");
  PutBlob(cache, "only_a", "abc");
  PutBlob(cache, "partial.incomplete", "zz");
  ASSERT_TRUE(cache.LinkSnapshotFile(kCommitA, "config.json", "shared").ok());
  ASSERT_TRUE(cache.LinkSnapshotFile(kCommitA, "model.safetensors", "only_a").ok());
  ASSERT_TRUE(cache.LinkSnapshotFile(kCommitB, "config.json", "shared").ok());
  ASSERT_TRUE(cache.WriteRef("main", kCommitA).ok());
  ASSERT_TRUE(cache.WriteRef("v1", kCommitB).ok());
  fs::create_directories(dir.path() / "datasets--x--y");

  auto listed = ListCache(dir.path());
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  const CachedModel& model = listed->front();
  EXPECT_EQ(model.repo_id, "org/name");
  EXPECT_EQ(model.size_on_disk, 8u);
  ASSERT_EQ(model.revisions.size(), 2u);
  for (const CachedRevision& rev : model.revisions) {
    if (rev.commit == kCommitA) {
      EXPECT_EQ(rev.refs, std::vector<std::string>{"main"});
      EXPECT_EQ(rev.files, 2u);
      EXPECT_EQ(rev.size, 8u);
    }
  }

  ASSERT_TRUE(Remove(dir.path(), "org/name@main").ok());
  EXPECT_FALSE(fs::exists(cache.snapshot_dir(kCommitA)));
  EXPECT_FALSE(fs::exists(cache.blob_path("only_a")));
  EXPECT_TRUE(fs::exists(cache.blob_path("shared")));
  EXPECT_FALSE(fs::exists(cache.ref_path("main")));
  EXPECT_TRUE(fs::exists(cache.ref_path("v1")));
  EXPECT_EQ(Remove(dir.path(), "org/name@main").code(), ErrorCode::kNotFound);

  ASSERT_TRUE(Remove(dir.path(), "org/name").ok());
  EXPECT_FALSE(fs::exists(cache.repo_dir()));
  EXPECT_EQ(Remove(dir.path(), "org/name").code(), ErrorCode::kNotFound);
  EXPECT_TRUE(ListCache(dir.path() / "nope")->empty());
}

TEST(CacheAdminTest, QuantsAreListedAndRemovedOneByOne) {
  TempDir dir;
  RepoCache cache(dir.path(), "org/name-GGUF");
  ASSERT_TRUE(cache.EnsureDirs().ok());
  PutBlob(cache, "q8", "88888888");
  PutBlob(cache, "q4", "4444");
  PutBlob(cache, "readme", "r");
  ASSERT_TRUE(cache.LinkSnapshotFile(kCommitA, "m.Q8_0.gguf", "q8").ok());
  ASSERT_TRUE(cache.LinkSnapshotFile(kCommitA, "m.Q4_K_M.gguf", "q4").ok());
  ASSERT_TRUE(cache.LinkSnapshotFile(kCommitA, "README.md", "readme").ok());
  ASSERT_TRUE(cache.LinkSnapshotFile(kCommitB, "m.Q4_K_M.gguf", "q4").ok());
  ASSERT_TRUE(cache.WriteRef("main", kCommitA).ok());

  auto listed = ListCache(dir.path());
  ASSERT_TRUE(listed.ok());
  for (const CachedRevision& rev : listed->front().revisions) {
    if (rev.commit != kCommitA) continue;
    ASSERT_EQ(rev.quants.size(), 2u);
    EXPECT_EQ(rev.quants[0].quant, "Q4_K_M");
    EXPECT_EQ(rev.quants[0].bytes, 4u);
    EXPECT_EQ(rev.quants[1].quant, "Q8_0");
  }

  const Status unknown = Remove(dir.path(), "org/name-GGUF:Q5_K_M");
  EXPECT_EQ(unknown.code(), ErrorCode::kNotFound);
  EXPECT_NE(unknown.message().find("cached quants: Q4_K_M, Q8_0"), std::string::npos)
      << unknown.message();

  auto plan = PlanRemoval(dir.path(), *ParseModelRef("org/name-GGUF:Q8_0"));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(plan->Removes(kCommitA, "m.Q8_0.gguf"));
  EXPECT_FALSE(plan->Removes(kCommitA, "m.Q4_K_M.gguf"));
  EXPECT_FALSE(plan->Removes(kCommitA, ""));
  EXPECT_EQ(plan->freed_bytes, 8u);
  ASSERT_TRUE(ExecuteRemoval(dir.path(), *plan).ok());
  EXPECT_FALSE(fs::exists(cache.snapshot_dir(kCommitA) / "m.Q8_0.gguf"));
  EXPECT_FALSE(fs::exists(cache.blob_path("q8")));
  EXPECT_TRUE(cache.HasSnapshotFile(kCommitA, "m.Q4_K_M.gguf"));
  EXPECT_TRUE(cache.HasSnapshotFile(kCommitA, "README.md"));

  // Q4_K_M in one snapshot: its blob stays for the other; a snapshot left empty goes.
  ASSERT_TRUE(Remove(dir.path(), "org/name-GGUF@" + kCommitB + ":Q4_K_M").ok());
  EXPECT_FALSE(fs::exists(cache.snapshot_dir(kCommitB)));
  EXPECT_TRUE(fs::exists(cache.blob_path("q4")));
  // The last quant of every snapshot: the repo stays for README.md.
  ASSERT_TRUE(Remove(dir.path(), "org/name-GGUF:q4_k_m").ok());
  EXPECT_FALSE(fs::exists(cache.blob_path("q4")));
  EXPECT_TRUE(cache.HasSnapshotFile(kCommitA, "README.md"));
  EXPECT_TRUE(fs::exists(cache.ref_path("main")));
}

TEST(CacheAdminTest, RemovingTheOnlyQuantRemovesTheRepo) {
  TempDir dir;
  RepoCache cache(dir.path(), "org/one-GGUF");
  ASSERT_TRUE(cache.EnsureDirs().ok());
  PutBlob(cache, "q8", "88888888");
  PutBlob(cache, "other.incomplete", "zz");
  ASSERT_TRUE(cache.LinkSnapshotFile(kCommitA, "m.Q8_0.gguf", "q8").ok());
  ASSERT_TRUE(cache.WriteRef("main", kCommitA).ok());
  auto plan = PlanRemoval(dir.path(), *ParseModelRef("org/one-GGUF:Q8_0"));
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->whole_repo);
  EXPECT_EQ(plan->freed_bytes, 10u);
  ASSERT_TRUE(ExecuteRemoval(dir.path(), *plan).ok());
  EXPECT_FALSE(fs::exists(cache.repo_dir()));
}

}  // namespace
}  // namespace hfd::hub
