// EditDistance and Nearest: what "did you mean" offers for typos in commands and flags.
#include "ctl/did_you_mean.h"

#include <gtest/gtest.h>

namespace hfd::ctl {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsSubstitutionsAndSwaps) {
  EXPECT_EQ(EditDistance("status", "status"), 0u);
  EXPECT_EQ(EditDistance("stauts", "status"), 1u);  // a swap is one edit
  EXPECT_EQ(EditDistance("--temprature", "--temperature"), 1u);
  EXPECT_EQ(EditDistance("pul", "pull"), 1u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

TEST(Nearest, OffersACloseNameOrAUniqueExtension) {
  const std::vector<std::string> commands{"status", "pull", "pulls", "ps", "run", "rm"};
  EXPECT_EQ(Nearest("stauts", commands), "status");
  EXPECT_EQ(Nearest("stat", commands), "status");  // the only name it begins
  EXPECT_EQ(Nearest("rnu", commands), "run");
  EXPECT_EQ(Nearest("pul", commands), "pull");  // two extensions: the nearer name
  EXPECT_EQ(Nearest("deploy", commands), std::nullopt);
}

}  // namespace
}  // namespace hfd::ctl
