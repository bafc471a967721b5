// client::OpenLocalModel: which files of a local model the client opens and passes, and
// what it refuses.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "hfd/client.h"
#include "tests/support/fixtures.h"

namespace hfd::testing {
namespace {

namespace fs = std::filesystem;

class LocalModel : public ::testing::Test {
 protected:
  // A file whose content is its name.
  fs::path Write(const std::string& name) {
    const fs::path path = dir_.path() / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << path.filename().string();
    return path;
  }

  static std::vector<std::string> Names(const client::LocalModelFiles& files) {
    std::vector<std::string> names;
    for (const client::PassedFd& file : files.files()) names.push_back(file.name);
    return names;
  }

  static std::string Content(int fd) {
    char buffer[256];
    const ssize_t n = ::pread(fd, buffer, sizeof(buffer), 0);
    return std::string(buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
  }

  TempDir dir_;
};

std::size_t OpenDescriptors() {
  return static_cast<std::size_t>(
      std::distance(fs::directory_iterator("/proc/self/fd"), fs::directory_iterator()));
}

TEST_F(LocalModel, ADirectoryGivesItsKnownFilesThenItsWeights) {
  for (const char* name :
       {"tokenizer.model", "model-00002-of-00002.safetensors", "README.md", "config.json",
        "model.safetensors.index.json", "model-00001-of-00002.safetensors", "chat_template.jinja",
        "q8.gguf", ".hidden.gguf", "tokenizer.json", "notes.txt", "sub/config.json"}) {
    Write(name);
  }
  Result<client::LocalModelFiles> files = client::OpenLocalModel(dir_.path().string());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(Names(*files),
            (std::vector<std::string>{"config.json", "tokenizer.json", "chat_template.jinja",
                                      "tokenizer.model", "model.safetensors.index.json",
                                      "model-00001-of-00002.safetensors",
                                      "model-00002-of-00002.safetensors", "q8.gguf"}));
  for (const client::PassedFd& file : files->files()) {
    EXPECT_EQ(Content(file.fd), file.name);
    const int flags = ::fcntl(file.fd, F_GETFL);
    EXPECT_EQ(flags & O_ACCMODE, O_RDONLY);
    EXPECT_NE(flags & O_NONBLOCK, 0);
    EXPECT_NE(::fcntl(file.fd, F_GETFD) & FD_CLOEXEC, 0);
  }
}

TEST_F(LocalModel, AGgufFileIsPassedUnderTheNameItWasGivenBy) {
  // As in a Hub cache snapshot: a link named like the model, to a blob named by its hash.
  const fs::path blob = Write("blobs/0123abcd");
  fs::create_directories(dir_.path() / "snapshot");
  fs::create_symlink(blob, dir_.path() / "snapshot/model-q4.gguf");
  Result<client::LocalModelFiles> files =
      client::OpenLocalModel((dir_.path() / "snapshot/model-q4.gguf").string());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(Names(*files), std::vector<std::string>{"model-q4.gguf"});
  EXPECT_EQ(Content(files->files()[0].fd), "0123abcd");
}

TEST_F(LocalModel, AnyPartOfASplitGgufGivesEveryPartInOrder) {
  for (int part = 1; part <= 3; ++part) Write("m-0000" + std::to_string(part) + "-of-00003.gguf");
  Write("m-00001-of-00002.gguf");  // another set: not a part of this one
  Result<client::LocalModelFiles> files =
      client::OpenLocalModel((dir_.path() / "m-00002-of-00003.gguf").string());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(Names(*files),
            (std::vector<std::string>{"m-00001-of-00003.gguf", "m-00002-of-00003.gguf",
                                      "m-00003-of-00003.gguf"}));
  for (const client::PassedFd& file : files->files()) EXPECT_EQ(Content(file.fd), file.name);
}

TEST_F(LocalModel, AMissingPartOfASplitGgufIsNamed) {
  Write("m-00001-of-00002.gguf");
  Result<client::LocalModelFiles> files =
      client::OpenLocalModel((dir_.path() / "m-00001-of-00002.gguf").string());
  ASSERT_EQ(files.status().code(), ErrorCode::kNotFound) << files.status().ToString();
  EXPECT_NE(files.status().message().find("m-00002-of-00002.gguf"), std::string::npos)
      << files.status().message();
}

TEST_F(LocalModel, AFifoIsRefusedWithoutBlocking) {
  Write("config.json");
  ASSERT_EQ(::mkfifo((dir_.path() / "tokenizer.json").c_str(), 0600), 0);
  Result<client::LocalModelFiles> files = client::OpenLocalModel(dir_.path().string());
  ASSERT_EQ(files.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(files.status().message().find("tokenizer.json is a FIFO"), std::string::npos)
      << files.status().message();

  ASSERT_EQ(::mkfifo((dir_.path() / "fifo.gguf").c_str(), 0600), 0);
  files = client::OpenLocalModel((dir_.path() / "fifo.gguf").string());
  ASSERT_EQ(files.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(files.status().message().find("a FIFO"), std::string::npos) << files.status().message();
}

TEST_F(LocalModel, ADirectoryWhereAModelFileShouldBeIsRefused) {
  fs::create_directories(dir_.path() / "weights.safetensors");
  Result<client::LocalModelFiles> files = client::OpenLocalModel(dir_.path().string());
  ASSERT_EQ(files.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(files.status().message().find("weights.safetensors is a directory"), std::string::npos)
      << files.status().message();
}

TEST_F(LocalModel, WhatIsNotAModelGetsAClearError) {
  Result<client::LocalModelFiles> missing =
      client::OpenLocalModel((dir_.path() / "nothing-here").string());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.status().message().find("nothing-here"), std::string::npos);

  Result<client::LocalModelFiles> text = client::OpenLocalModel(Write("notes.txt").string());
  EXPECT_EQ(text.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(text.status().message().find("not a .gguf file"), std::string::npos)
      << text.status().message();

  fs::create_directories(dir_.path() / "empty");
  Result<client::LocalModelFiles> empty = client::OpenLocalModel((dir_.path() / "empty").string());
  EXPECT_EQ(empty.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(empty.status().message().find("holds no model files"), std::string::npos)
      << empty.status().message();

  Result<client::LocalModelFiles> device = client::OpenLocalModel("/dev/null");
  EXPECT_EQ(device.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(device.status().message().find("a character device"), std::string::npos)
      << device.status().message();
}

TEST_F(LocalModel, TheFilesAreClosedWithTheirOwner) {
  Write("config.json");
  Write("model.safetensors");
  const std::size_t before = OpenDescriptors();
  {
    Result<client::LocalModelFiles> files = client::OpenLocalModel(dir_.path().string());
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    client::LocalModelFiles moved = std::move(files).value();
    EXPECT_EQ(moved.files().size(), 2u);
    EXPECT_EQ(OpenDescriptors(), before + 2);
  }
  EXPECT_EQ(OpenDescriptors(), before);
}

}  // namespace
}  // namespace hfd::testing
