#include "hub/file_selection.h"

#include <gtest/gtest.h>

namespace hfd::hub {
namespace {

using Files = std::vector<std::string>;

// A listing of `paths`, each of `size` bytes.
std::vector<ListedFile> Listing(const Files& paths, uint64_t size = 1) {
  std::vector<ListedFile> out;
  for (const std::string& p : paths) out.push_back({p, size});
  return out;
}

// The files SelectFiles picks from `paths`, or its error.
Result<Files> Select(const Files& paths, const SelectionRequest& request) {
  HFD_ASSIGN_OR_RETURN(Selection selection, SelectFiles(Listing(paths), request));
  return selection.files;
}

const Files kGgufRepo = {"README.md",
                         "llama-7b.Q4_K_M.gguf",
                         "llama-7b.Q4_K_S.gguf",
                         "llama-7b.Q8_0.gguf",
                         "llama-7b-f16-00001-of-00002.gguf",
                         "llama-7b-f16-00002-of-00002.gguf"};

TEST(FileSelectionTest, QuantSelectorIsCaseInsensitiveAndExact) {
  auto q4 = Select(kGgufRepo, {"r", "q4_k_m", {}, {}});
  ASSERT_TRUE(q4.ok()) << q4.status().ToString();
  EXPECT_EQ(*q4, Files{"llama-7b.Q4_K_M.gguf"});
  auto split = Select(kGgufRepo, {"r", "F16", {}, {}});
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(*split,
            (Files{"llama-7b-f16-00001-of-00002.gguf", "llama-7b-f16-00002-of-00002.gguf"}));
}

TEST(FileSelectionTest, QuantErrorsListAvailableQuants) {
  auto none = Select(kGgufRepo, {"r", "Q5_K_M", {}, {}});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("F16, Q4_K_M, Q4_K_S, Q8_0"), std::string::npos)
      << none.status().message();
  // "Q4_K" is a prefix of two quants but not a whole token of either.
  EXPECT_FALSE(Select(kGgufRepo, {"r", "Q4_K", {}, {}}).ok());
  auto several = Select({"a.Q8_0.gguf", "b.Q8_0.gguf"}, {"r", "Q8_0", {}, {}});
  ASSERT_FALSE(several.ok());
  EXPECT_NE(several.status().message().find("more than one"), std::string::npos);
}

TEST(FileSelectionTest, IncompleteSplitSetIsAnError) {
  auto partial =
      Select({"m-Q8_0-00001-of-00003.gguf", "m-Q8_0-00002-of-00003.gguf"}, {"r", "Q8_0", {}, {}});
  ASSERT_FALSE(partial.ok());
  EXPECT_NE(partial.status().message().find("2 of its 3"), std::string::npos);
}

TEST(FileSelectionTest, SafetensorsModelSet) {
  const Files repo = {"config.json",
                      "generation_config.json",
                      "tokenizer.json",
                      "tokenizer_config.json",
                      "model-00001-of-00002.safetensors",
                      "model-00002-of-00002.safetensors",
                      "model.safetensors.index.json",
                      "consolidated.safetensors",
                      "pytorch_model.bin",
                      "README.md",
                      "onnx/model.onnx",
                      "original/params.json"};
  auto chosen = Select(repo, {"r", "", {}, {}});
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(*chosen,
            (Files{"config.json", "generation_config.json", "model-00001-of-00002.safetensors",
                   "model-00002-of-00002.safetensors", "model.safetensors.index.json",
                   "tokenizer.json", "tokenizer_config.json"}));
  auto single =
      Select({"config.json", "model.safetensors", "vocab.json", "merges.txt"}, {"r", "", {}, {}});
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->size(), 4u);
}

TEST(FileSelectionTest, GgufRepoWithoutSelector) {
  auto one = Select({"README.md", "m.Q8_0.gguf"}, {"r", "", {}, {}});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, Files{"m.Q8_0.gguf"});
  EXPECT_EQ(Select({"README.md"}, {"r", "", {}, {}}).status().code(), ErrorCode::kNotFound);
}

TEST(FileSelectionTest, IncludeAndExcludeGlobs) {
  auto inc = Select(kGgufRepo, {"r", "", {"*.md", "*Q8_0*"}, {}});
  ASSERT_TRUE(inc.ok());
  EXPECT_EQ(*inc, (Files{"README.md", "llama-7b.Q8_0.gguf"}));
  auto exc =
      Select({"config.json", "model.safetensors", "tokenizer.json"}, {"r", "", {}, {"tokenizer*"}});
  ASSERT_TRUE(exc.ok());
  EXPECT_EQ(*exc, (Files{"config.json", "model.safetensors"}));
  EXPECT_FALSE(Select(kGgufRepo, {"r", "", {"*.none"}, {}}).ok());
}

TEST(FileSelectionTest, SeveralQuantsPickQ4KMByDefault) {
  auto many = SelectFiles(Listing(kGgufRepo), {"org/x", "", {}, {}});
  ASSERT_TRUE(many.ok()) << many.status().ToString();
  EXPECT_EQ(many->files, Files{"llama-7b.Q4_K_M.gguf"});
  EXPECT_EQ(many->quant, "Q4_K_M");
  EXPECT_TRUE(many->quant_picked);
  auto asked = SelectFiles(Listing(kGgufRepo), {"org/x", "q8_0", {}, {}});
  ASSERT_TRUE(asked.ok());
  EXPECT_EQ(asked->quant, "Q8_0");
  EXPECT_FALSE(asked->quant_picked);
}

TEST(FileSelectionTest, WithoutQ4KMTheSmallestOfAtLeastFourBitsElseTheSmallest) {
  const std::vector<ListedFile> repo = {{"m.Q2_K.gguf", 100},
                                        {"m.IQ3_XXS.gguf", 150},
                                        {"m.Q5_K_M.gguf", 400},
                                        {"m.Q4_0.gguf", 300},
                                        {"m-f16-00001-of-00002.gguf", 200},
                                        {"m-f16-00002-of-00002.gguf", 200}};
  auto chosen = SelectFiles(repo, {"r", "", {}, {}});
  ASSERT_TRUE(chosen.ok()) << chosen.status().ToString();
  EXPECT_EQ(chosen->files, Files{"m.Q4_0.gguf"});
  EXPECT_TRUE(chosen->quant_picked);
  auto low = SelectFiles({{"m.Q3_K_M.gguf", 300}, {"m.Q2_K.gguf", 200}}, {"r", "", {}, {}});
  ASSERT_TRUE(low.ok());
  EXPECT_EQ(low->files, Files{"m.Q2_K.gguf"});
  auto one = SelectFiles({{"m.Q8_0.gguf", 9}}, {"r", "", {}, {}});
  ASSERT_TRUE(one.ok());
  EXPECT_FALSE(one->quant_picked);
}

TEST(FileSelectionTest, QuantBits) {
  EXPECT_EQ(QuantBits("Q8_0"), 8);
  EXPECT_EQ(QuantBits("q4_k_m"), 4);
  EXPECT_EQ(QuantBits("IQ4_XS"), 4);
  EXPECT_EQ(QuantBits("IQ2_XXS"), 2);
  EXPECT_EQ(QuantBits("BF16"), 16);
  EXPECT_EQ(QuantBits("F32"), 32);
  EXPECT_EQ(QuantBits(""), 0);
}

TEST(FileSelectionTest, QuantAndSplitNames) {
  EXPECT_EQ(QuantOfGgufName("Llama-3.2-1B-Instruct-Q4_K_M.gguf"), "Q4_K_M");
  EXPECT_EQ(QuantOfGgufName("model-iq2_xxs-00001-of-00004.gguf"), "IQ2_XXS");
  EXPECT_EQ(QuantOfGgufName("ggml-model-bf16.gguf"), "BF16");
  EXPECT_EQ(QuantOfGgufName("mmproj.gguf"), "");
  const SplitName split = ParseSplitName("a/b-00002-of-00005.gguf");
  EXPECT_EQ(split.stem, "a/b");
  EXPECT_EQ(split.index, 2);
  EXPECT_EQ(split.count, 5);
  EXPECT_EQ(ParseSplitName("plain.gguf").index, 0);
}

}  // namespace
}  // namespace hfd::hub
