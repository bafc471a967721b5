#include "common/units.h"

#include <gtest/gtest.h>

namespace hfd {
namespace {

TEST(Units, Durations) {
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("300", "x"), 300);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("90s", "x"), 90);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("5m", "x"), 300);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("2h", "x"), 7200);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("1.5d", "x"), 129600);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("-1", "x"), -1);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("0", "x"), 0);
  for (const char* bad : {"", "m", "5x", "5 minutes", "nan", "inf"}) {
    Result<double> r = ParseDurationSeconds(bad, "keep_alive");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("keep_alive"), std::string::npos);
  }
}

TEST(Units, ByteSizes) {
  EXPECT_EQ(*ParseByteSize("1048576", "x"), 1048576);
  EXPECT_EQ(*ParseByteSize("512K", "x"), 512 * 1024);
  EXPECT_EQ(*ParseByteSize("8M", "x"), 8 << 20);
  EXPECT_EQ(*ParseByteSize("8MB", "x"), 8 << 20);
  EXPECT_EQ(*ParseByteSize("8MiB", "x"), 8 << 20);
  EXPECT_EQ(*ParseByteSize("1.5G", "x"), 3LL << 29);
  EXPECT_EQ(*ParseByteSize("2 GiB", "x"), 2LL << 30);
  EXPECT_EQ(*ParseByteSize("1t", "x"), 1LL << 40);
  EXPECT_EQ(*ParseByteSize("17b", "x"), 17);
  for (const char* bad : {"", "-1", "G", "8X", "8 gigs", "1e30"}) {
    EXPECT_FALSE(ParseByteSize(bad, "memory_budget").ok()) << bad;
  }
}

TEST(Units, FormatBytes) {
  EXPECT_EQ(FormatBytes(17), "17 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(3LL << 30), "3.0 GiB");
}

}  // namespace
}  // namespace hfd
