// model::DerivedStore: a derived file is built once and mapped after, rebuilt when it is not
// whole or not current, and refused where it cannot be written, with what to do.
#include "engine/model/derived_weights.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

#include <filesystem>
#include <fstream>
#include <functional>
#include <vector>

#include "engine/io/local_file_set.h"
#include "tests/support/fixtures.h"

namespace hfd::model {
namespace {

namespace fs = std::filesystem;

// Two tensors whose bytes are their index pattern; `fills` counts the builds.
std::vector<DerivedTensor> Tensors(int* fills, uint64_t second_bytes = 300) {
  const auto pattern = [fills](uint8_t seed) {
    return [fills, seed](std::span<uint8_t> out) -> Status {
      if (seed == 0) ++*fills;
      for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(seed + i);
      return Status::Ok();
    };
  };
  return {DerivedTensor{"blk.0.a.weight", TensorType::kF32, {4, 2}, 32, pattern(0)},
          DerivedTensor{"blk.0.b.weight", TensorType::kF16, {150}, second_bytes, pattern(7)}};
}

// A key whose source is spelled as SourceIdentity spells one.
DerivedKey Key(uint32_t layout = 1) {
  return DerivedKey{"test-kind", layout, {"a size 1 mtime 0.0 inode 7"}};
}

// The files in `dir`, hidden (temporary) ones included.
std::vector<fs::path> Files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  return out;
}

void ExpectPattern(const DerivedWeights& w) {
  const WeightView* a = w.Find("blk.0.a.weight");
  const WeightView* b = w.Find("blk.0.b.weight");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->type, TensorType::kF32);
  EXPECT_EQ(a->shape, (std::vector<int64_t>{4, 2}));
  ASSERT_EQ(b->nbytes, 300u);
  for (size_t i = 0; i < a->nbytes; ++i) EXPECT_EQ(a->data[i], static_cast<uint8_t>(i));
  for (size_t i = 0; i < b->nbytes; ++i) EXPECT_EQ(b->data[i], static_cast<uint8_t>(7 + i));
  EXPECT_EQ(w.Find("blk.0.c.weight"), nullptr);
}

TEST(DerivedWeights, FirstLoadWritesTheFileLaterLoadsMapIt) {
  testing::TempDir dir;
  const DerivedStore store(dir.path(), "cache/derived");
  int fills = 0;
  auto first = store.OpenOrBuild(Key(), Tensors(&fills));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(fills, 1);
  ExpectPattern(**first);
  const std::vector<fs::path> files = Files(store.dir());
  ASSERT_EQ(files.size(), 1u);  // no temporary file left
  EXPECT_EQ(files[0], (*first)->path());
  struct stat before {};
  ASSERT_EQ(::stat(files[0].c_str(), &before), 0);

  auto second = store.OpenOrBuild(Key(), Tensors(&fills));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(fills, 1);  // mapped, not built again
  ExpectPattern(**second);
  struct stat after {};
  ASSERT_EQ(::stat(files[0].c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  EXPECT_TRUE((*second)->CheckIntact().ok());
}

// Builds the test file, lets `damage` change it, and expects the next load to build it
// again, whole.
void ExpectRebuiltAfter(const std::function<void(const fs::path&)>& damage) {
  testing::TempDir dir;
  const DerivedStore store(dir.path(), "derived");
  int fills = 0;
  fs::path path;
  {
    auto built = store.OpenOrBuild(Key(), Tensors(&fills));
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    path = (*built)->path();
  }
  const uintmax_t size = fs::file_size(path);
  damage(path);
  auto rebuilt = store.OpenOrBuild(Key(), Tensors(&fills));
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_EQ(fills, 2);
  EXPECT_EQ(fs::file_size(path), size);
  ExpectPattern(**rebuilt);
}

TEST(DerivedWeights, TruncatedFileIsRebuilt) {
  // As a crash of a plain write would leave it.
  ExpectRebuiltAfter(
      [](const fs::path& path) { fs::resize_file(path, fs::file_size(path) - 100); });
}

TEST(DerivedWeights, ForeignHeaderIsRebuilt) {
  ExpectRebuiltAfter([](const fs::path& path) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(0);
    f.put('X');  // same size, another header
  });
}

TEST(DerivedWeights, NewLayoutOrSourceBuildsAnotherFile) {
  testing::TempDir dir;
  const DerivedStore store(dir.path(), "derived");
  int fills = 0;
  auto v1 = store.OpenOrBuild(Key(1), Tensors(&fills));
  auto v2 = store.OpenOrBuild(Key(2), Tensors(&fills));
  DerivedKey other_source = Key(1);
  other_source.sources[0] = "a size 2 mtime 0.0 inode 7";
  auto v3 = store.OpenOrBuild(other_source, Tensors(&fills));
  ASSERT_TRUE(v1.ok() && v2.ok() && v3.ok());
  EXPECT_EQ(fills, 3);
  EXPECT_NE((*v1)->path(), (*v2)->path());
  EXPECT_NE((*v1)->path(), (*v3)->path());
}

// A build from the same sources under a new layout, or holding other tensors, makes the
// earlier file useless: it goes. Files of other sources or another kind stay.
TEST(DerivedWeights, ABuildRemovesTheFileItSupersedes) {
  testing::TempDir dir;
  const DerivedStore store(dir.path(), "derived");
  int fills = 0;
  auto first = store.OpenOrBuild(Key(1), Tensors(&fills));
  DerivedKey other_source = Key(1);
  other_source.sources[0] = "a size 2 mtime 0.0 inode 7";
  DerivedKey other_kind = Key(1);
  other_kind.kind = "other-kind";
  auto kept_source = store.OpenOrBuild(other_source, Tensors(&fills));
  auto kept_kind = store.OpenOrBuild(other_kind, Tensors(&fills));
  ASSERT_TRUE(first.ok() && kept_source.ok() && kept_kind.ok());
  const fs::path first_path = (*first)->path();

  auto new_layout = store.OpenOrBuild(Key(2), Tensors(&fills));
  ASSERT_TRUE(new_layout.ok()) << new_layout.status().ToString();
  EXPECT_FALSE(fs::exists(first_path));
  EXPECT_TRUE((*first)->CheckIntact().ok());  // removed, yet still mapped whole
  auto more_tensors = store.OpenOrBuild(Key(2), Tensors(&fills, 400));
  ASSERT_TRUE(more_tensors.ok()) << more_tensors.status().ToString();
  EXPECT_FALSE(fs::exists((*new_layout)->path()));
  EXPECT_TRUE(fs::exists((*more_tensors)->path()));
  EXPECT_TRUE(fs::exists((*kept_source)->path()));
  EXPECT_TRUE(fs::exists((*kept_kind)->path()));
  EXPECT_EQ(Files(store.dir()).size(), 3u);
}

TEST(DerivedWeights, NoSpaceSaysHowManyBytesAndWritesNothing) {
  testing::TempDir dir;
  const DerivedStore store(dir.path(), "derived");
  int fills = 0;
  constexpr uint64_t kHuge = uint64_t{1} << 60;  // more than any test disk has free
  auto r = store.OpenOrBuild(Key(), Tensors(&fills, kHuge));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fills, 0);
  const std::string m = r.status().message();
  EXPECT_NE(m.find("needs"), std::string::npos) << m;
  EXPECT_NE(m.find(std::to_string(kHuge + 4096 + 64)), std::string::npos) << m;
  EXPECT_NE(m.find("free"), std::string::npos) << m;
  EXPECT_TRUE(Files(store.dir()).empty());
}

TEST(DerivedWeights, FailedBuildLeavesNoFile) {
  testing::TempDir dir;
  const DerivedStore store(dir.path(), "derived");
  int fills = 0;
  std::vector<DerivedTensor> tensors = Tensors(&fills);
  tensors[1].fill = [](std::span<uint8_t>) { return Corrupt("source tensor is bad"); };
  auto r = store.OpenOrBuild(Key(), tensors);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "source tensor is bad");
  EXPECT_TRUE(Files(store.dir()).empty());
}

TEST(DerivedWeights, SymlinkedFolderIsRefused) {
  testing::TempDir dir;
  fs::create_directory(dir.path() / "elsewhere");
  fs::create_directory_symlink(dir.path() / "elsewhere", dir.path() / "derived");
  const DerivedStore store(dir.path(), "derived");
  int fills = 0;
  auto r = store.OpenOrBuild(Key(), Tensors(&fills));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("symlink"), std::string::npos) << r.status().message();
  EXPECT_TRUE(Files(dir.path() / "elsewhere").empty());
}

TEST(DerivedWeights, ReadOnlyFolderSaysToMakeItWritable) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes into read-only folders";
  testing::TempDir dir;
  fs::create_directory(dir.path() / "derived");
  fs::permissions(dir.path() / "derived", fs::perms::owner_read | fs::perms::owner_exec);
  const DerivedStore store(dir.path(), "derived");
  int fills = 0;
  auto r = store.OpenOrBuild(Key(), Tensors(&fills));
  fs::permissions(dir.path() / "derived", fs::perms::owner_all);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("writable"), std::string::npos) << r.status().message();
}

TEST(DerivedWeights, InMemoryBuildHoldsTheSameBytes) {
  int fills = 0;
  auto built = BuildInMemory(Tensors(&fills));
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(fills, 1);
  ASSERT_EQ(built->views.size(), 2u);
  EXPECT_EQ(built->views.at("blk.0.b.weight").data[3], 10);
  EXPECT_EQ(built->views.at("blk.0.a.weight").shape, (std::vector<int64_t>{4, 2}));
  // One block of memory holds both, each at a 64-byte boundary.
  for (const auto& [name, view] : built->views) {
    EXPECT_GE(view.data, built->memory.data()) << name;
    EXPECT_LE(view.data + view.nbytes, built->memory.data() + built->memory.size()) << name;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(view.data) % 64, 0u) << name;
  }
}

// A local source: `text` written to origin/name, and the key naming it as it is now.
DerivedKey WriteSource(const fs::path& origin, const std::string& name, const std::string& text) {
  std::ofstream(origin / name, std::ios::trunc) << text;
  auto files = io::OpenLocalDirectory(origin);
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  auto identity = SourceIdentity(**files, name);
  EXPECT_TRUE(identity.ok()) << identity.status().ToString();
  return DerivedKey{"test-kind", 1, {identity.ok() ? *identity : ""}};
}

// What the folder's derived files say about themselves (Prune that removes nothing).
std::vector<DerivedFileInfo> Infos(const DerivedStore& store) {
  std::vector<DerivedFileInfo> out;
  auto pruned = store.Prune([&out](const DerivedFileInfo& f) {
    out.push_back(f);
    return false;
  });
  EXPECT_TRUE(pruned.ok() && pruned->files == 0);
  return out;
}

// Sets `path`'s atime (last use) to `seconds_ago`, or its mtime when `mtime`.
void Age(const fs::path& path, int64_t seconds_ago, bool mtime = false) {
  const timespec then{std::time(nullptr) - seconds_ago, 0};
  const timespec omit{0, UTIME_OMIT};
  const timespec times[2] = {mtime ? omit : then, mtime ? then : omit};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

TEST(DerivedWeights, AStoreWithAnOriginRecordsItAndMarksEveryLoadAsAUse) {
  testing::TempDir dir;
  const fs::path origin = dir.path() / "model";
  fs::create_directory(origin);
  const DerivedKey key = WriteSource(origin, "model.safetensors", "weights");
  const DerivedStore store(dir.path(), "derived", origin.string());
  int fills = 0;
  fs::path path;
  {
    auto built = store.OpenOrBuild(key, Tensors(&fills));
    ASSERT_TRUE(built.ok()) << built.status().ToString();
    path = (*built)->path();
  }
  const std::vector<DerivedFileInfo> infos = Infos(store);
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_EQ(infos[0].path, path);
  EXPECT_EQ(infos[0].kind, "test-kind");
  EXPECT_EQ(infos[0].origin, origin.string());
  EXPECT_EQ(infos[0].bytes, fs::file_size(path));
  ASSERT_EQ(infos[0].sources.size(), 1u);
  struct stat st {};
  ASSERT_EQ(::stat((origin / "model.safetensors").c_str(), &st), 0);
  EXPECT_EQ(infos[0].sources[0].name, "model.safetensors");
  EXPECT_EQ(infos[0].sources[0].size, 7u);
  EXPECT_EQ(infos[0].sources[0].inode, st.st_ino);
  EXPECT_FALSE(IsStale(infos[0], std::time(nullptr)));

  Age(path, 3600);
  ASSERT_TRUE(store.OpenOrBuild(key, Tensors(&fills)).ok());
  EXPECT_EQ(fills, 1);
  ASSERT_EQ(Infos(store).size(), 1u);
  EXPECT_GE(Infos(store)[0].last_used, std::time(nullptr) - 60);
}

// A changed source builds another file, and that build removes the old one; a source gone
// makes its file stale too.
TEST(DerivedWeights, FilesOfChangedOrRemovedSourcesArePruned) {
  testing::TempDir dir;
  const fs::path origin = dir.path() / "model";
  fs::create_directory(origin);
  const DerivedStore store(dir.path(), "derived", origin.string());
  int fills = 0;
  const DerivedKey before = WriteSource(origin, "a b.safetensors", "weights");  // a space too
  auto first = store.OpenOrBuild(before, Tensors(&fills));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const fs::path old_path = (*first)->path();
  ASSERT_EQ(Infos(store).size(), 1u);
  EXPECT_EQ(Infos(store)[0].sources[0].name, "a b.safetensors");

  const DerivedKey after = WriteSource(origin, "a b.safetensors", "new weights");
  auto second = store.OpenOrBuild(after, Tensors(&fills));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(fills, 2);
  EXPECT_TRUE((*first)->CheckIntact().ok());  // removed, yet still mapped whole
  EXPECT_FALSE(fs::exists(old_path));
  EXPECT_EQ(Files(store.dir()), std::vector<fs::path>{(*second)->path()});

  auto kept = PruneStale(store);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->files, 0u);
  const uintmax_t size = fs::file_size((*second)->path());
  fs::remove(origin / "a b.safetensors");
  auto pruned = PruneStale(store);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(pruned->files, 1u);
  EXPECT_EQ(pruned->bytes, size);
  EXPECT_TRUE(Files(store.dir()).empty());
}

// The pruning after a build spares the file it built, even where its sources do not look
// as they read (an origin that does not lead to them); the next start's prune does not.
TEST(DerivedWeights, ABuildNeverPrunesTheFileItBuilt) {
  testing::TempDir dir;
  const DerivedStore store(dir.path(), "derived", (dir.path() / "nowhere").string());
  int fills = 0;
  auto built = store.OpenOrBuild(Key(), Tensors(&fills));
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_TRUE(fs::exists((*built)->path()));
  ASSERT_TRUE(store.OpenOrBuild(Key(), Tensors(&fills)).ok());
  EXPECT_EQ(fills, 1);
  auto pruned = PruneStale(store);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(pruned->files, 1u);
}

// Files a client passed have no path to check: their derived file goes when unused for a
// month.
TEST(DerivedWeights, UncheckableSourcesGoWhenUnusedForAMonth) {
  testing::TempDir dir;
  const DerivedStore store(dir.path(), "derived", "files a client passed as /home/u/m");
  int fills = 0;
  auto built = store.OpenOrBuild(Key(), Tensors(&fills));
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  auto kept = PruneStale(store);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->files, 0u);
  Age((*built)->path(), kUnverifiableUnusedSeconds + 3600);
  auto pruned = PruneStale(store);
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(pruned->files, 1u);
}

// Prune leaves what is not a derived file, and a temporary file a build may still write.
TEST(DerivedWeights, PruneRemovesOnlyDerivedFilesAndDayOldTemporaryOnes) {
  testing::TempDir dir;
  const DerivedStore store(dir.path(), "derived");
  int fills = 0;
  ASSERT_TRUE(store.OpenOrBuild(Key(), Tensors(&fills)).ok());
  std::ofstream(store.dir() / ".x.bin.tmp.1.1") << "left by a killed build";
  Age(store.dir() / ".x.bin.tmp.1.1", 2 * 24 * 3600, true);
  std::ofstream(store.dir() / ".y.bin.tmp.2.2") << "being written";
  std::ofstream(store.dir() / "notes.bin") << "not a derived file";
  auto pruned = store.Prune([](const DerivedFileInfo&) { return true; });
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(pruned->files, 2u);
  EXPECT_TRUE(fs::exists(store.dir() / ".y.bin.tmp.2.2"));
  EXPECT_TRUE(fs::exists(store.dir() / "notes.bin"));
  EXPECT_EQ(Files(store.dir()).size(), 2u);
}

// A load that builds sees the build start and end (what hfctl shows while it loads); one
// that maps the file sees nothing.
TEST(DerivedWeights, AStoreWithProgressReportsItsBuildOnly) {
  testing::TempDir dir;
  std::vector<std::pair<uint64_t, uint64_t>> seen;
  const DerivedStore plain(dir.path(), "derived");
  const DerivedStore store =
      plain.WithProgress([&seen, &plain](const fs::path& file, uint64_t written, uint64_t total) {
        EXPECT_EQ(file.parent_path(), plain.dir());
        seen.emplace_back(written, total);
      });
  EXPECT_EQ(store.dir(), plain.dir());
  int fills = 0;
  auto built = store.OpenOrBuild(Key(), Tensors(&fills));
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  ASSERT_GE(seen.size(), 2u);
  const uint64_t size = fs::file_size((*built)->path());
  EXPECT_LT(seen.front().first, seen.back().first);
  EXPECT_EQ(seen.back(), std::make_pair(size, size));
  seen.clear();
  ASSERT_TRUE(store.OpenOrBuild(Key(), Tensors(&fills)).ok());
  EXPECT_TRUE(seen.empty());
}

// The daemon's folder may not exist yet: the first build makes it, pruning makes nothing.
TEST(DerivedWeights, AMissingParentIsMadeByTheFirstBuildOnly) {
  testing::TempDir dir;
  const DerivedStore store(dir.path() / "cache" / "hfd", "derived");
  auto pruned = PruneStale(store);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_FALSE(fs::exists(dir.path() / "cache"));
  int fills = 0;
  ASSERT_TRUE(store.OpenOrBuild(Key(), Tensors(&fills)).ok());
  EXPECT_EQ(Files(store.dir()).size(), 1u);
}

}  // namespace
}  // namespace hfd::model
