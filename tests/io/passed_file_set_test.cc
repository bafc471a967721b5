// Descriptors a client passed: opened any number of times, read without their offset, and
// refused unless they are regular files open for reading.
#include "engine/io/passed_file_set.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include "engine/io/read_small_file.h"
#include "tests/io/io_test_util.h"
#include "tests/support/fixtures.h"

namespace hfd::io {
namespace {

namespace fs = std::filesystem;

UniqueFd OpenFd(const fs::path& path, int flags) {
  UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC));
  EXPECT_TRUE(fd.valid()) << path << ": " << std::strerror(errno);
  return fd;
}

std::unique_ptr<ModelFileSet> Pass(std::vector<NamedFd> fds) {
  auto files = MakePassedFileSet(std::move(fds), "passed by uid 1000");
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  return files.ok() ? std::move(files).value() : nullptr;
}

std::vector<NamedFd> One(std::string name, UniqueFd fd) {
  std::vector<NamedFd> fds;
  fds.push_back({std::move(name), std::move(fd)});
  return fds;
}

TEST(PassedFileSetTest, AFileOpensTwiceAndReadsTheSameBytes) {
  hfd::testing::TempDir tmp;
  testing::WriteFile(tmp.path() / "config.json", R"({"a": 1})");
  testing::WriteFile(tmp.path() / "tokenizer.json", "tok");
  UniqueFd config = OpenFd(tmp.path() / "config.json", O_RDONLY);
  // The client's offset is wherever it left it; readers must not depend on it.
  ASSERT_EQ(::lseek(config.get(), 0, SEEK_END), 8);
  std::vector<NamedFd> fds;
  fds.push_back({"tokenizer.json", OpenFd(tmp.path() / "tokenizer.json", O_RDONLY)});
  fds.push_back({"config.json", std::move(config)});
  auto files = Pass(std::move(fds));
  ASSERT_NE(files, nullptr);
  EXPECT_EQ(*files->Names(), (std::vector<std::string>{"config.json", "tokenizer.json"}));
  auto first = ReadSmallFile(*files, "config.json", kConfigMaxBytes);
  auto second = ReadSmallFile(*files, "config.json", kConfigMaxBytes);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, R"({"a": 1})");
  EXPECT_EQ(*second, *first);
  auto a = files->Open("config.json");
  auto b = files->Open("config.json");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->get(), b->get());
  EXPECT_TRUE(files->Has("tokenizer.json"));
  EXPECT_FALSE(files->Has("generation_config.json"));
  auto absent = files->Open("generation_config.json");
  EXPECT_EQ(absent.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(absent.status().message().find("was not passed"), std::string::npos);
}

TEST(PassedFileSetTest, PipesSocketsDirectoriesAndDevicesAreRefused) {
  hfd::testing::TempDir tmp;
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  const UniqueFd write_end(pipe_fds[1]);
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  const UniqueFd other_end(pair[1]);
  std::vector<NamedFd> fds;
  fds.push_back({"fifo.json", UniqueFd(pipe_fds[0])});
  fds.push_back({"socket.json", UniqueFd(pair[0])});
  fds.push_back({"dir.json", OpenFd(tmp.path(), O_RDONLY | O_DIRECTORY)});
  fds.push_back({"zero.json", OpenFd("/dev/zero", O_RDONLY)});
  auto files = Pass(std::move(fds));
  ASSERT_NE(files, nullptr);
  for (const auto& [name, kind] :
       {std::pair{"fifo.json", "is a FIFO"}, std::pair{"socket.json", "is a socket"},
        std::pair{"dir.json", "is a directory"}, std::pair{"zero.json", "is a character device"}}) {
    auto read = ReadSmallFile(*files, name, kConfigMaxBytes);
    ASSERT_FALSE(read.ok()) << name;
    EXPECT_EQ(read.status().code(), ErrorCode::kInvalidArgument) << read.status().ToString();
    EXPECT_NE(read.status().message().find(name), std::string::npos) << read.status().ToString();
    EXPECT_NE(read.status().message().find(kind), std::string::npos) << read.status().ToString();
  }
}

TEST(PassedFileSetTest, DescriptorsThatCannotReadAreRefused) {
  hfd::testing::TempDir tmp;
  testing::WriteFile(tmp.path() / "a.json", "{}");
  std::vector<NamedFd> fds;
  fds.push_back({"write-only.json", OpenFd(tmp.path() / "a.json", O_WRONLY)});
  fds.push_back({"path-only.json", OpenFd(tmp.path() / "a.json", O_PATH)});
  auto files = Pass(std::move(fds));
  ASSERT_NE(files, nullptr);
  for (const char* name : {"write-only.json", "path-only.json"}) {
    auto fd = files->Open(name);
    ASSERT_FALSE(fd.ok()) << name;
    EXPECT_NE(fd.status().message().find("not open for reading"), std::string::npos)
        << fd.status().ToString();
  }
}

TEST(PassedFileSetTest, BadNamesAreRefused) {
  hfd::testing::TempDir tmp;
  testing::WriteFile(tmp.path() / "a.json", "{}");
  std::vector<NamedFd> twice;
  twice.push_back({"a.json", OpenFd(tmp.path() / "a.json", O_RDONLY)});
  twice.push_back({"a.json", OpenFd(tmp.path() / "a.json", O_RDONLY)});
  EXPECT_EQ(MakePassedFileSet(std::move(twice), "x").status().code(), ErrorCode::kInvalidArgument);
  for (const char* name : {"", "/etc/passwd"}) {
    EXPECT_EQ(
        MakePassedFileSet(One(name, OpenFd(tmp.path() / "a.json", O_RDONLY)), "x").status().code(),
        ErrorCode::kInvalidArgument)
        << name;
  }
  EXPECT_EQ(MakePassedFileSet(One("a.json", UniqueFd()), "x").status().code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace hfd::io
