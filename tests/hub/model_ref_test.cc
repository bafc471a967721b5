#include "hub/model_ref.h"

#include <gtest/gtest.h>

namespace hfd::hub {
namespace {

TEST(ModelRefTest, ParsesIdRevisionAndQuant) {
  auto ref = ParseModelRef("TheBloke/Llama-2-7B-GGUF@v1.0:q4_k_m");
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  EXPECT_EQ(ref->repo_id, "TheBloke/Llama-2-7B-GGUF");
  EXPECT_EQ(ref->revision, "v1.0");
  EXPECT_TRUE(ref->revision_given);
  EXPECT_EQ(ref->quant, "q4_k_m");
  EXPECT_EQ(ref->ToString(), "TheBloke/Llama-2-7B-GGUF@v1.0:q4_k_m");
}

TEST(ModelRefTest, DefaultsToMainAndMapsLatest) {
  auto plain = ParseModelRef("org/name");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->revision, "main");
  EXPECT_FALSE(plain->revision_given);
  auto latest = ParseModelRef("org/name@latest");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->revision, "main");
}

TEST(ModelRefTest, AcceptsCommitShaAndPullRequestRef) {
  const std::string sha(40, 'a');
  auto ref = ParseModelRef("org/name@" + sha);
  ASSERT_TRUE(ref.ok());
  EXPECT_TRUE(IsCommitSha(ref->revision));
  EXPECT_TRUE(ParseModelRef("org/name@refs/pr/12").ok());
  EXPECT_FALSE(IsCommitSha("ABCDEF"));
}

TEST(ModelRefTest, RefusesUnsafeRevisionsWithExplanation) {
  for (const char* bad : {"org/name@../../etc", "org/name@.hidden", "org/name@a/b", "org/name@",
                          "org/name@a..b", "org/name@refs/pr/x", "org/name@a b"}) {
    auto ref = ParseModelRef(bad);
    ASSERT_FALSE(ref.ok()) << bad;
    EXPECT_EQ(ref.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(ref.status().message().find("letters, digits"), std::string::npos) << bad;
  }
}

TEST(ModelRefTest, RefusesBadIdsAndLocalPaths) {
  for (const char* bad :
       {"", "a/b/c", "../x", "/abs/path", "./model", "~/m", "org/..", "-org/x", "org/name:"}) {
    EXPECT_FALSE(ParseModelRef(bad).ok()) << bad;
  }
  EXPECT_TRUE(IsLocalPath("/models/x"));
  EXPECT_TRUE(IsLocalPath("~/x"));
  EXPECT_FALSE(IsLocalPath("org/x"));
  EXPECT_TRUE(ParseModelRef("gpt2").ok());
}

}  // namespace
}  // namespace hfd::hub
