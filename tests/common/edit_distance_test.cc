#include "common/edit_distance.h"

#include <gtest/gtest.h>

namespace hfd {
namespace {

TEST(EditDistanceTest, CountsInsertionsDeletionsAndSubstitutionsIgnoringCase) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("", "ab"), 2u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("Qwen/Qwen2.5", "qwen/qwen2.5"), 0u);
  EXPECT_EQ(EditDistance("test/tiny-lama-GGUF", "test/tiny-llama-GGUF"), 1u);
  EXPECT_EQ(EditDistance("org/x:Q4_K_S", "org/x:Q4_K_M"), 1u);
}

}  // namespace
}  // namespace hfd
