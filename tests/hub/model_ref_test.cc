#include "hub/model_ref.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

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

// What people paste: the Hub's URLs and Ollama's hf.co references.
TEST(ModelRefTest, ParsesPastedHubUrlsAndOllamaReferences) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF", "Qwen/Qwen2.5-0.5B-Instruct-GGUF"},
      {"huggingface.co/org/name/", "org/name"},
      {"https://www.huggingface.co/org/name?library=gguf#files", "org/name"},
      {"https://huggingface.co/org/name/tree/v1.0", "org/name@v1.0"},
      {"https://huggingface.co/org/name/tree/refs%2Fpr%2F3", "org/name@refs/pr/3"},
      {"https://huggingface.co/org/name-GGUF/blob/main/name-Q4_K_M.gguf",
       "org/name-GGUF@main:Q4_K_M"},
      {"https://huggingface.co/org/name-GGUF/resolve/main/sub/name.Q8_0.gguf?download=true",
       "org/name-GGUF@main:Q8_0"},
      {"https://hf.co/org/name/blob/main/config.json", "org/name@main"},
      {"hf.co/org/name-GGUF:Q4_K_M", "org/name-GGUF:Q4_K_M"},
      {"hf.co/org/name-GGUF:latest", "org/name-GGUF"},
      {"org/name:latest", "org/name"},
  };
  for (const auto& [pasted, expected] : cases) {
    auto ref = ParseModelRef(pasted);
    ASSERT_TRUE(ref.ok()) << pasted << ": " << ref.status().ToString();
    EXPECT_EQ(ref->ToString(), expected) << pasted;
  }
  for (const char* bad : {"https://huggingface.co/datasets/org/data", "https://huggingface.co/org",
                          "https://huggingface.co/org/name/discussions/2",
                          "https://huggingface.co/org/name/blob/main/model.gguf",
                          "https://huggingface.co/org/name/tree/../x"}) {
    auto ref = ParseModelRef(bad);
    ASSERT_FALSE(ref.ok()) << bad;
    EXPECT_EQ(ref.status().code(), ErrorCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(ParseModelRef("https://huggingface.co/datasets/org/data")
                .status()
                .message()
                .find("not a model"),
            std::string::npos);
}

}  // namespace
}  // namespace hfd::hub
