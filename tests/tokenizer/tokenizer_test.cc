// Encode/Decode behaviour on small hand-made tokenizers.
#include "engine/tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tests/tokenizer/tiny_tokenizers.h"

namespace hfd::tok {
namespace {

using Ids = std::vector<int32_t>;

std::unique_ptr<Tokenizer> Load(const std::string& json, const std::string& config = "",
                                const std::string& generation = "") {
  auto t = Tokenizer::FromJson(json, config, generation);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : nullptr;
}

TEST(ByteLevelTokenizer, MergesByRankAndAddsBos) {
  auto t = Load(testing::TinyByteLevelJson());
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Encode("abc", false), (Ids{257}));
  EXPECT_EQ(t->Encode("abc", true), (Ids{300, 257}));
  EXPECT_EQ(t->Encode(" a", false), (Ids{258}));
  EXPECT_EQ(t->Encode("ba", false), (Ids{'b', 'a'}));
  EXPECT_EQ(t->Encode("", false), (Ids{}));
  EXPECT_EQ(t->TokenText(258),
            "\xC4\xA0"
            "a");
  EXPECT_EQ(t->TokenToPiece(258), " a");
  EXPECT_EQ(t->TokenId("<|x|>"), 300);
  EXPECT_FALSE(t->TokenId("nope").has_value());
  EXPECT_EQ(t->vocab_size(), 303);
  EXPECT_EQ(t->bos_id(), 300);
}

// tokenizer.json's splitting pre-tokenizers run as a pipeline before the byte-level step.
std::unique_ptr<Tokenizer> WithPreTokenizers(const nlohmann::json& steps) {
  nlohmann::json doc = nlohmann::json::parse(testing::TinyByteLevelJson());
  nlohmann::json list = steps;
  list.push_back({{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}});
  doc["pre_tokenizer"] = {{"type", "Sequence"}, {"pretokenizers", list}};
  return Load(doc.dump());
}

TEST(ByteLevelTokenizer, SplitDigitsWhitespaceAndPunctuationSteps) {
  using J = nlohmann::json;
  auto removed = WithPreTokenizers(
      J::array({{{"type", "Split"}, {"pattern", {{"String", "b"}}}, {"behavior", "Removed"}}}));
  ASSERT_NE(removed, nullptr);
  EXPECT_EQ(removed->Encode("abc", false), (Ids{'a', 'c'}));
  auto merged = WithPreTokenizers(J::array({{{"type", "Split"},
                                             {"pattern", {{"Regex", "c+"}}},
                                             {"behavior", "MergedWithPrevious"},
                                             {"invert", false}}}));
  ASSERT_NE(merged, nullptr);
  EXPECT_EQ(merged->Encode("abcab", false), (Ids{257, 256}));
  auto digits = WithPreTokenizers(J::array({{{"type", "Digits"}, {"individual_digits", true}}}));
  ASSERT_NE(digits, nullptr);
  EXPECT_EQ(digits->Encode("ab12", false), (Ids{256, '1', '2'}));
  auto words = WithPreTokenizers(J::array({{{"type", "Whitespace"}}}));
  ASSERT_NE(words, nullptr);
  EXPECT_EQ(words->Encode("ab \n abc!?", false), (Ids{256, 257, '!', '?'}));
  auto spaces = WithPreTokenizers(J::array({{{"type", "WhitespaceSplit"}}}));
  ASSERT_NE(spaces, nullptr);
  EXPECT_EQ(spaces->Encode(" ab  a", false), (Ids{256, 'a'}));
  auto punct = WithPreTokenizers(J::array({{{"type", "Punctuation"}, {"behavior", "Isolated"}}}));
  ASSERT_NE(punct, nullptr);
  EXPECT_EQ(punct->Encode("a!b", false), (Ids{'a', '!', 'b'}));
}

TEST(ByteLevelTokenizer, AddedTokensMatchLongestFirstAndNeverSplit) {
  auto t = Load(testing::TinyByteLevelJson());
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Encode("<|xy|>ab<|x|>", false), (Ids{301, 256, 300}));
  EXPECT_EQ(t->Encode("<|x", false), (Ids{'<', '|', 'x'}));
  // <tool> has lstrip and rstrip: it swallows the spaces around it.
  EXPECT_EQ(t->Encode("a <tool> b", false), (Ids{'a', 302, 'b'}));
}

TEST(ByteLevelTokenizer, DecodeKeepsOrSkipsSpecialTokens) {
  auto t = Load(testing::TinyByteLevelJson());
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Decode(Ids{300, 257, 258}), "<|x|>abc a");
  EXPECT_EQ(t->Decode(Ids{300, 257, 302}, /*skip_special=*/true), "abc<tool>");
  EXPECT_EQ(t->Decode(Ids{-1, 99999, 'a'}), "a");
  EXPECT_EQ(t->Decode(Ids{0xE4, 0xBD}), "\xEF\xBF\xBD");  // a cut character: U+FFFD
}

TEST(ByteLevelTokenizer, AnyBytesRoundTrip) {
  auto t = Load(testing::TinyByteLevelJson());
  ASSERT_NE(t, nullptr);
  std::string all;
  for (int b = 1; b < 256; ++b) all.push_back(static_cast<char>(b));
  const std::string text = "valid \xC3\xA9 text, then " + all;
  const Ids ids = t->Encode(text, false);
  std::string bytes;
  for (int32_t id : ids) bytes.append(t->TokenToPiece(id));
  EXPECT_EQ(bytes, text);
}

TEST(ByteLevelTokenizer, ConfigFilesSetBosEosAndEndOfGeneration) {
  const std::string config = R"({"add_bos_token": false, "eos_token": {"content": "<|xy|>"}})";
  const std::string generation = R"({"eos_token_id": [300, 5]})";
  auto t = Load(testing::TinyByteLevelJson(), config, generation);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Encode("abc", true), (Ids{257}));
  EXPECT_EQ(t->eos_id(), 301);
  EXPECT_EQ(t->eos_ids(), (Ids{5, 300, 301}));
  EXPECT_TRUE(t->IsEndOfGeneration(5));
  EXPECT_FALSE(t->IsEndOfGeneration(257));
}

TEST(ByteLevelTokenizer, ConcurrentEncodesAgree) {
  auto t = Load(testing::TinyByteLevelJson());
  ASSERT_NE(t, nullptr);
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "abc <|x|> a b\xC3\xA9 ";
  const Ids expected = t->Encode(text, true);
  std::vector<Ids> results(4);
  std::vector<std::thread> threads;
  for (auto& r : results) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) r = t->Encode(text, true);
    });
  }
  for (auto& th : threads) th.join();
  for (const Ids& r : results) EXPECT_EQ(r, expected);
}

TEST(SentencePieceTokenizer, PrependsSpaceAndFallsBackToBytes) {
  auto t = Load(testing::TinySentencePieceJson());
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Encode("hi", true), (Ids{1, 263}));
  EXPECT_EQ(t->Encode("hi hi", false), (Ids{263, 263}));
  EXPECT_EQ(t->Encode(" hi", false), (Ids{263}));  // already starts with a space
  EXPECT_EQ(t->Encode("\xC3\xA9", false), (Ids{259, 3 + 0xC3, 3 + 0xA9}));
  EXPECT_EQ(t->Encode("<s>hi", false), (Ids{1, 263}));
  EXPECT_EQ(t->Encode("", true), (Ids{1}));
}

TEST(SentencePieceTokenizer, DecodeStripsOneLeadingSpace) {
  auto t = Load(testing::TinySentencePieceJson());
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Decode(Ids{263, 263}), "hi hi");
  EXPECT_EQ(t->Decode(Ids{259, 259, 263}), "  hi");
  EXPECT_EQ(t->Decode(Ids{259, 3 + 0xC3, 3 + 0xA9}), "\xC3\xA9");
  EXPECT_EQ(t->Decode(Ids{1, 263}, /*skip_special=*/true), "hi");
  EXPECT_EQ(t->Decode(Ids{1, 263}), "<s> hi");
}

TEST(StreamDecoder, HoldsBackIncompleteCharacters) {
  auto t = Load(testing::TinySentencePieceJson());
  ASSERT_NE(t, nullptr);
  StreamDecoder stream(*t);
  EXPECT_EQ(stream.Push(263), " hi");  // no stripping: the stream continues a prompt
  EXPECT_EQ(stream.Push(1), "");       // special, skipped
  EXPECT_EQ(stream.Push(3 + 0xF0), "");
  EXPECT_EQ(stream.Push(3 + 0x9F), "");
  EXPECT_EQ(stream.Push(3 + 0xA6), "");
  EXPECT_EQ(stream.Push(3 + 0x99), "\xF0\x9F\xA6\x99");
  EXPECT_EQ(stream.Push(3 + 0xC3), "");
  EXPECT_EQ(stream.Flush(), "\xEF\xBF\xBD");
  EXPECT_EQ(stream.Flush(), "");
}

TEST(StreamDecoder, EmitsInvalidBytesAsReplacementAtOnce) {
  auto t = Load(testing::TinySentencePieceJson());
  ASSERT_NE(t, nullptr);
  StreamDecoder stream(*t, /*skip_special=*/false);
  EXPECT_EQ(stream.Push(3 + 0xFF), "\xEF\xBF\xBD");
  EXPECT_EQ(stream.Push(1), "<s>");
  EXPECT_EQ(stream.Push(-3), "");
}

}  // namespace
}  // namespace hfd::tok
