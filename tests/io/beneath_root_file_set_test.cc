// Files of a Hub snapshot opened beneath the repo folder: the cache's own links resolve,
// every way out of the repo folder is refused with an error naming the file.
#include "engine/io/beneath_root_file_set.h"

#include <gtest/gtest.h>

#include "engine/io/read_small_file.h"
#include "tests/io/io_test_util.h"
#include "tests/support/fixtures.h"

namespace hfd::io {
namespace {

namespace fs = std::filesystem;
using testing::MakeFifo;
using testing::WriteFile;

// A repo folder laid out as huggingface_hub lays it out, and a secret outside it.
class BeneathRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(repo_ / "blobs" / "aaa", R"({"model_type": "llama"})");
    WriteFile(repo_ / "blobs" / "bbb", "GGUF...");
    fs::create_directories(snapshot_ / "q4");
    fs::create_symlink("../../blobs/aaa", snapshot_ / "config.json");
    fs::create_symlink("../../../blobs/bbb", snapshot_ / "q4" / "model-q4.gguf");
    WriteFile(tmp_.path() / "outside" / "secret", "the daemon's token");
    fs::permissions(tmp_.path() / "outside" / "secret", fs::perms::owner_read);
  }

  std::unique_ptr<ModelFileSet> OpenSnapshot() {
    auto files = OpenBeneathRoot(repo_, "snapshots/c1");
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    return files.ok() ? std::move(files).value() : nullptr;
  }

  hfd::testing::TempDir tmp_;
  const fs::path repo_ = tmp_.path() / "hub" / "models--org--name";
  const fs::path snapshot_ = repo_ / "snapshots" / "c1";
};

void ExpectRefusedAsEscape(const ModelFileSet& files, std::string_view name) {
  auto fd = files.Open(name);
  ASSERT_FALSE(fd.ok()) << name << " was opened";
  EXPECT_EQ(fd.status().code(), ErrorCode::kPermissionDenied) << fd.status().ToString();
  EXPECT_NE(fd.status().message().find(files.Label(name)), std::string::npos)
      << fd.status().ToString();
  EXPECT_NE(fd.status().message().find("outside the model's folder"), std::string::npos)
      << fd.status().ToString();
}

TEST_F(BeneathRootTest, SnapshotLinksToBlobsOpen) {
  auto files = OpenSnapshot();
  ASSERT_NE(files, nullptr);
  auto names = files->Names();
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(*names, (std::vector<std::string>{"config.json", "q4/model-q4.gguf"}));
  EXPECT_TRUE(files->Has("config.json"));
  EXPECT_FALSE(files->Has("tokenizer.json"));
  EXPECT_EQ(*ReadSmallFile(*files, "config.json", kConfigMaxBytes), R"({"model_type": "llama"})");
  EXPECT_EQ(*ReadSmallFile(*files, "q4/model-q4.gguf", kConfigMaxBytes), "GGUF...");
  EXPECT_EQ(files->Label("config.json"), (snapshot_ / "config.json").string());
}

TEST_F(BeneathRootTest, LinksOutOfTheRepoFolderAreRefused) {
  fs::create_symlink(tmp_.path() / "outside" / "secret", snapshot_ / "chat_template.jinja");
  fs::create_symlink("../../../../outside/secret", snapshot_ / "tokenizer.json");
  fs::create_symlink("../../blobs/../../../outside/secret", snapshot_ / "tokenizer_config.json");
  fs::create_symlink("/proc/self/root" + (tmp_.path() / "outside" / "secret").string(),
                     snapshot_ / "generation_config.json");
  auto files = OpenSnapshot();
  ASSERT_NE(files, nullptr);
  for (const char* name : {"chat_template.jinja", "tokenizer.json", "tokenizer_config.json",
                           "generation_config.json"}) {
    EXPECT_TRUE(files->Has(name)) << name;  // present, so readers report the refusal
    ExpectRefusedAsEscape(*files, name);
  }
  ExpectRefusedAsEscape(*files, "../../../outside/secret");
}

TEST_F(BeneathRootTest, ADirectoryLinkOutOfTheRepoFolderIsRefused) {
  fs::create_directory_symlink(tmp_.path() / "outside", snapshot_ / "sub");
  auto files = OpenSnapshot();
  ASSERT_NE(files, nullptr);
  ExpectRefusedAsEscape(*files, "sub/secret");
  // The listing does not walk through the link either.
  auto names = files->Names();
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(*names, (std::vector<std::string>{"config.json", "q4/model-q4.gguf", "sub"}));
}

TEST_F(BeneathRootTest, ASnapshotThatLeadsOutIsRefusedWhenOpened) {
  fs::create_directory_symlink(tmp_.path() / "outside", repo_ / "snapshots" / "c2");
  auto files = OpenBeneathRoot(repo_, "snapshots/c2");
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().code(), ErrorCode::kPermissionDenied) << files.status().ToString();
}

TEST_F(BeneathRootTest, MissingPiecesAreNotFound) {
  auto absent_snapshot = OpenBeneathRoot(repo_, "snapshots/nope");
  EXPECT_EQ(absent_snapshot.status().code(), ErrorCode::kNotFound);
  auto files = OpenSnapshot();
  ASSERT_NE(files, nullptr);
  auto absent = files->Open("tokenizer.json");
  EXPECT_EQ(absent.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(absent.status().message().find("tokenizer.json"), std::string::npos);
  EXPECT_EQ(files->Open("/etc/hostname").status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(BeneathRootTest, ARepoFolderThatIsALinkIsRefused) {
  const fs::path linked = tmp_.path() / "hub" / "models--org--linked";
  fs::create_directory_symlink(repo_, linked);
  EXPECT_FALSE(OpenBeneathRoot(linked, "snapshots/c1").ok());
}

TEST_F(BeneathRootTest, AFifoInTheSnapshotIsRefusedWithoutBlocking) {
  MakeFifo(repo_ / "blobs" / "fifo");
  fs::create_symlink("../../blobs/fifo", snapshot_ / "tokenizer.json");
  auto files = OpenSnapshot();
  ASSERT_NE(files, nullptr);
  auto read = testing::WithinBoundedTime(repo_ / "blobs" / "fifo", [&] {
    return ReadSmallFile(*files, "tokenizer.json", kTokenizerJsonMaxBytes);
  });
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(read.status().message().find("tokenizer.json is a FIFO"), std::string::npos)
      << read.status().ToString();
}

}  // namespace
}  // namespace hfd::io
