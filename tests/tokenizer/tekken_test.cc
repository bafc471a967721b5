// Mistral Nemo's real tekken vocabulary (testdata/tekken, its README says where it comes
// from): the GGUF file gives llama-tokenize's ids, and a tokenizer.json of the same
// vocabulary gives what Hugging Face's reading of it (tekken's own regex) gives.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/support/fixtures.h"

namespace hfd::tok {
namespace {

using ::hfd::testing::ReadFileOrFail;
using nlohmann::json;

constexpr int kSpecialTokens = 1000;  // tekken's ids 0..999 are control tokens

// tekken_240718.json's pattern, as Nemo's tokenizer.json holds it (llama.cpp runs a rewrite).
constexpr char kTekkenPattern[] =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|)"
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|)"
    R"(\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

json Reference() {
  return json::parse(ReadFileOrFail(std::filesystem::path(HFD_TEKKEN_TESTDATA) / "reference.json"));
}

std::unique_ptr<gguf::GgufFile> OpenVocab() {
  auto file = gguf::GgufFile::Open(HFD_TEKKEN_VOCAB);
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  return file.ok() ? std::move(file).value() : nullptr;
}

// Nemo's tokenizer.json as Hugging Face lays it out, from the GGUF file's tokens and merges:
// the 1000 control tokens as special added tokens, byte-level BPE that looks a word up
// whole first (tiktoken does), tekken's regex, and <s> in front by the post-processor.
std::string NemoTokenizerJson(const gguf::GgufFile& file) {
  const auto tokens = file.GetStringViewArray("tokenizer.ggml.tokens");
  const auto merges = file.GetStringViewArray("tokenizer.ggml.merges");
  EXPECT_TRUE(tokens.ok() && merges.ok());
  if (!tokens.ok() || !merges.ok()) return "";
  json vocab = json::object();
  json added = json::array();
  for (size_t id = 0; id < tokens->size(); ++id) {
    vocab[std::string((*tokens)[id])] = id;
    if (id < kSpecialTokens) {
      added.push_back({{"id", id}, {"content", (*tokens)[id]}, {"special", true}});
    }
  }
  const json bos = {{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}};
  return json{{"added_tokens", added},
              {"normalizer", nullptr},
              {"pre_tokenizer",
               {{"type", "Sequence"},
                {"pretokenizers",
                 {{{"type", "Split"},
                   {"pattern", {{"Regex", kTekkenPattern}}},
                   {"behavior", "Isolated"},
                   {"invert", false}},
                  {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}}}}},
              {"post_processor",
               {{"type", "TemplateProcessing"},
                {"single", {bos, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
                {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {1}}, {"tokens", {"<s>"}}}}}}}},
              {"decoder", {{"type", "ByteLevel"}}},
              {"model",
               {{"type", "BPE"},
                {"ignore_merges", true},
                {"byte_fallback", false},
                {"vocab", vocab},
                {"merges", *merges}}}}
      .dump();
}

// Each reference string encodes to `key`'s ids (no BOS) and decodes back to itself; BOS is
// added by default (llama.cpp's tekken, Nemo's tokenizer_config), EOS is not.
void ExpectReferenceIds(const Tokenizer& tokenizer, const char* key) {
  const json reference = Reference();
  const auto inputs = reference.at("inputs").get<std::vector<std::string>>();
  const json& expected = reference.at(key);
  ASSERT_GT(inputs.size(), 90u);
  ASSERT_EQ(expected.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::vector<int32_t> ids = tokenizer.Encode(inputs[i], /*add_special=*/false);
    EXPECT_EQ(ids, expected[i].get<std::vector<int32_t>>())
        << key << ", string #" << i << ": '" << inputs[i] << "'";
    EXPECT_EQ(tokenizer.Decode(ids), inputs[i]) << key << ", string #" << i;
  }
  EXPECT_EQ(tokenizer.Encode("Hi", true), (std::vector<int32_t>{1, 37133}));  // llama-tokenize
  EXPECT_EQ(tokenizer.vocab_size(), 131072);
  EXPECT_TRUE(tokenizer.IsEndOfGeneration(2));
}

TEST(Tekken, NemoVocabularyGgufGivesLlamaTokenizeIds) {
  auto file = OpenVocab();
  ASSERT_NE(file, nullptr);
  auto tokenizer = Tokenizer::FromGguf(*file);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  ExpectReferenceIds(**tokenizer, "llama_cpp");
}

TEST(Tekken, NemoTokenizerJsonGivesHuggingFaceIds) {
  auto file = OpenVocab();
  ASSERT_NE(file, nullptr);
  // Nemo's tokenizer_config.json and generation_config.json name the same specials.
  auto tokenizer =
      Tokenizer::FromJson(NemoTokenizerJson(*file),
                          R"({"add_bos_token": true, "add_eos_token": false, "bos_token": "<s>",)"
                          R"( "eos_token": "</s>", "unk_token": "<unk>"})",
                          R"({"bos_token_id": 1, "eos_token_id": 2})");
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  ExpectReferenceIds(**tokenizer, "tokenizer_json");
}

}  // namespace
}  // namespace hfd::tok
