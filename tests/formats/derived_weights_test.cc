// model::DerivedStore: a derived file is built once and mapped after, rebuilt when it is not
// whole or not current, and refused where it cannot be written, with what to do.
#include "engine/model/derived_weights.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <vector>

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

DerivedKey Key(uint32_t layout = 1) { return DerivedKey{"test-kind", layout, {"a size 1"}}; }

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
  other_source.sources[0] = "a size 2";
  auto v3 = store.OpenOrBuild(other_source, Tensors(&fills));
  ASSERT_TRUE(v1.ok() && v2.ok() && v3.ok());
  EXPECT_EQ(fills, 3);
  EXPECT_NE((*v1)->path(), (*v2)->path());
  EXPECT_NE((*v1)->path(), (*v3)->path());
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
  ASSERT_EQ(built->size(), 2u);
  EXPECT_EQ(built->at("blk.0.b.weight").bytes[3], 10);
  EXPECT_EQ(built->at("blk.0.a.weight").shape, (std::vector<int64_t>{4, 2}));
}

}  // namespace
}  // namespace hfd::model
