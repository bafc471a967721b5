// The size caps of whole-file reads: a file over its cap is refused naming the file and the
// cap, whatever size it claims.
#include "engine/io/read_small_file.h"

#include <gtest/gtest.h>

#include "engine/io/local_file_set.h"
#include "tests/io/io_test_util.h"
#include "tests/support/fixtures.h"

namespace hfd::io {
namespace {

namespace fs = std::filesystem;

TEST(ReadSmallFileTest, AFileOverItsCapIsTooLarge) {
  hfd::testing::TempDir tmp;
  testing::WriteFile(tmp.path() / "fits.json", std::string(2048, 'x'));
  testing::WriteFile(tmp.path() / "over.json", std::string(2049, 'x'));
  auto files = OpenLocalDirectory(tmp.path());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  auto fits = ReadSmallFile(**files, "fits.json", 2048);
  ASSERT_TRUE(fits.ok()) << fits.status().ToString();
  EXPECT_EQ(fits->size(), 2048u);
  auto over = ReadSmallFile(**files, "over.json", 2048);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), ErrorCode::kTooLarge);
  EXPECT_NE(over.status().message().find((tmp.path() / "over.json").string()), std::string::npos)
      << over.status().ToString();
  EXPECT_NE(over.status().message().find("2.0 KiB"), std::string::npos) << over.status().ToString();
}

// /proc files claim a size of 0: the cap holds on the bytes actually read.
TEST(ReadSmallFileTest, TheCapHoldsWhenTheClaimedSizeIsWrong) {
  hfd::testing::TempDir tmp;
  fs::create_symlink("/proc/self/status", tmp.path() / "config.json");
  auto files = OpenLocalDirectory(tmp.path());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(ReadSmallFile(**files, "config.json", 64).status().code(), ErrorCode::kTooLarge);
  auto whole = ReadSmallFile(**files, "config.json", kConfigMaxBytes);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_GT(whole->size(), 64u);
}

TEST(ReadSmallFileTest, AnEmptyFileIsEmpty) {
  hfd::testing::TempDir tmp;
  testing::WriteFile(tmp.path() / "empty.json", "");
  auto files = OpenLocalDirectory(tmp.path());
  ASSERT_TRUE(files.ok());
  auto empty = ReadSmallFile(**files, "empty.json", kConfigMaxBytes);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace hfd::io
