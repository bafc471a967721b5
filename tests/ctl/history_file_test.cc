// Where the chat history lives, and that its folders and file are private.
#include "ctl/repl/history_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/fixtures.h"

namespace hfd::ctl {
namespace {

unsigned Mode(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(ChatHistoryPath, FollowsTheXdgStateHomeOrHome) {
  EXPECT_EQ(*ChatHistoryPath("/state", "/home/u"), "/state/hfd/chat_history");
  EXPECT_EQ(*ChatHistoryPath(nullptr, "/home/u"), "/home/u/.local/state/hfd/chat_history");
  // The XDG spec: a relative path in the variable is ignored.
  EXPECT_EQ(*ChatHistoryPath("state", "/home/u"), "/home/u/.local/state/hfd/chat_history");
  EXPECT_FALSE(ChatHistoryPath(nullptr, nullptr).ok());
}

TEST(ChatHistoryFile, FoldersAre0700AndTheFile0600EvenIfItWasOpen) {
  testing::TempDir dir;
  const std::filesystem::path file = dir.path() / "state" / "hfd" / "chat_history";
  ASSERT_TRUE(MakePrivateFolders(file).ok());
  EXPECT_EQ(Mode(dir.path() / "state"), 0700u);
  EXPECT_EQ(Mode(dir.path() / "state" / "hfd"), 0700u);
  std::ofstream(file) << "old";
  ::chmod(file.c_str(), 0644);
  Result<UniqueFile> out = OpenPrivateForWriting(file);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(Mode(file), 0600u);
  EXPECT_EQ(std::filesystem::file_size(file), 0u);  // written from the start
}

TEST(ChatHistoryFile, NeverWritesThroughASymlink) {
  testing::TempDir dir;
  const std::filesystem::path target = dir.path() / "elsewhere";
  std::ofstream(target) << "keep";
  std::filesystem::create_symlink(target, dir.path() / "chat_history");
  EXPECT_FALSE(OpenPrivateForWriting(dir.path() / "chat_history").ok());
  EXPECT_EQ(std::filesystem::file_size(target), 4u);
}

}  // namespace
}  // namespace hfd::ctl
