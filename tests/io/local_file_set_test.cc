// Local model files (for privileged callers): links are followed, but no file that is not
// a regular one is ever read, and none blocks.
#include "engine/io/local_file_set.h"

#include <gtest/gtest.h>

#include "engine/io/read_small_file.h"
#include "tests/io/io_test_util.h"
#include "tests/support/fixtures.h"

namespace hfd::io {
namespace {

namespace fs = std::filesystem;
using testing::WriteFile;

std::unique_ptr<ModelFileSet> OpenDir(const fs::path& dir) {
  auto files = OpenLocalDirectory(dir);
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  return files.ok() ? std::move(files).value() : nullptr;
}

void ExpectNotRegular(const ModelFileSet& files, std::string_view name, std::string_view kind) {
  auto fd = files.Open(name);
  ASSERT_FALSE(fd.ok()) << name << " was opened";
  EXPECT_EQ(fd.status().code(), ErrorCode::kInvalidArgument) << fd.status().ToString();
  EXPECT_NE(fd.status().message().find(files.Label(name)), std::string::npos)
      << fd.status().ToString();
  EXPECT_NE(fd.status().message().find(kind), std::string::npos) << fd.status().ToString();
}

TEST(LocalFileSetTest, ListsAndReadsFollowingLinks) {
  hfd::testing::TempDir tmp;
  WriteFile(tmp.path() / "elsewhere" / "config.json", "{}");
  WriteFile(tmp.path() / "m" / "tokenizer.json", "tok");
  WriteFile(tmp.path() / "m" / "sub" / "x.gguf", "GGUF");
  WriteFile(tmp.path() / "m" / ".cache" / "huggingface" / "x.metadata", "skipped");
  fs::create_symlink(tmp.path() / "elsewhere" / "config.json", tmp.path() / "m" / "config.json");
  auto files = OpenDir(tmp.path() / "m");
  ASSERT_NE(files, nullptr);
  auto names = files->Names();
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(*names, (std::vector<std::string>{"config.json", "sub/x.gguf", "tokenizer.json"}));
  EXPECT_EQ(*ReadSmallFile(*files, "config.json", kConfigMaxBytes), "{}");
  EXPECT_EQ(*ReadSmallFile(*files, "sub/x.gguf", kConfigMaxBytes), "GGUF");
  EXPECT_EQ(files->Label("config.json"), (tmp.path() / "m" / "config.json").string());
  EXPECT_EQ(files->Open("absent.json").status().code(), ErrorCode::kNotFound);
}

TEST(LocalFileSetTest, AFileKeepsTheNameTheCallerUsed) {
  hfd::testing::TempDir tmp;
  WriteFile(tmp.path() / "blobs" / "0123abcd", "GGUF");
  fs::create_directories(tmp.path() / "snapshot");
  fs::create_symlink("../blobs/0123abcd", tmp.path() / "snapshot" / "x.gguf");
  auto local = OpenLocalFile(tmp.path() / "snapshot" / "x.gguf");
  ASSERT_TRUE(local.ok()) << local.status().ToString();
  EXPECT_EQ(local->name, "x.gguf");
  EXPECT_EQ(*ReadSmallFile(*local->files, local->name, kConfigMaxBytes), "GGUF");
  EXPECT_EQ(OpenLocalFile(tmp.path() / "snapshot" / "..").status().code(),
            ErrorCode::kInvalidArgument);
}

TEST(LocalFileSetTest, AFifoIsRefusedWithoutBlocking) {
  hfd::testing::TempDir tmp;
  testing::MakeFifo(tmp.path() / "tokenizer.json");
  auto files = OpenDir(tmp.path());
  ASSERT_NE(files, nullptr);
  auto read = testing::WithinBoundedTime(tmp.path() / "tokenizer.json", [&] {
    return ReadSmallFile(*files, "tokenizer.json", kTokenizerJsonMaxBytes);
  });
  EXPECT_EQ(read.status().code(), ErrorCode::kInvalidArgument);
  ExpectNotRegular(*files, "tokenizer.json", "is a FIFO");
}

TEST(LocalFileSetTest, DevicesDirectoriesAndSocketsAreRefused) {
  hfd::testing::TempDir tmp;
  fs::create_symlink("/dev/zero", tmp.path() / "tokenizer.json");
  fs::create_directory(tmp.path() / "config.json");
  const UniqueFd socket = testing::BindSocket(tmp.path() / "model.gguf");
  auto files = OpenDir(tmp.path());
  ASSERT_NE(files, nullptr);
  ExpectNotRegular(*files, "tokenizer.json", "is a character device");
  ExpectNotRegular(*files, "config.json", "is a directory");
  ExpectNotRegular(*files, "model.gguf", "socket");
  // Refused before any byte is read: /dev/zero never fills memory.
  EXPECT_EQ(ReadSmallFile(*files, "tokenizer.json", kTokenizerJsonMaxBytes).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST(LocalFileSetTest, NotADirectory) {
  hfd::testing::TempDir tmp;
  WriteFile(tmp.path() / "f", "x");
  EXPECT_EQ(OpenLocalDirectory(tmp.path() / "f").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(OpenLocalDirectory(tmp.path() / "absent").status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace hfd::io
