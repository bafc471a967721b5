// The hand-written matchers split text as the regexes they stand for.
#include "engine/tokenizer/pre_tokenizer.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace hfd::tok {
namespace {

std::vector<std::string> Split(PreTokenizer kind, std::string_view text) {
  std::vector<std::string> words;
  for (size_t pos = 0; pos < text.size();) {
    const size_t end = NextWordEnd(kind, text, pos);
    words.emplace_back(text.substr(pos, end - pos));
    pos = end;
  }
  return words;
}

using Words = std::vector<std::string>;

TEST(PreTokenizer, Gpt2) {
  const auto k = PreTokenizer::kGpt2;
  EXPECT_EQ(Split(k, "Hello world"), (Words{"Hello", " world"}));
  EXPECT_EQ(Split(k, "I'm can't"), (Words{"I", "'m", " can", "'t"}));
  EXPECT_EQ(Split(k, "I'M"), (Words{"I", "'", "M"}));  // case-sensitive contractions
  EXPECT_EQ(Split(k, "a  b"), (Words{"a", " ", " b"}));
  EXPECT_EQ(Split(k, "x \n"), (Words{"x", " \n"}));
  EXPECT_EQ(Split(k, "123456 7"), (Words{"123456", " 7"}));
  EXPECT_EQ(Split(k, "hi!!! ("), (Words{"hi", "!!!", " ("}));
  EXPECT_EQ(Split(k, "\n\nx"), (Words{"\n", "\n", "x"}));
}

TEST(PreTokenizer, Llama3) {
  const auto k = PreTokenizer::kLlama3;
  EXPECT_EQ(Split(k, "12345"), (Words{"123", "45"}));
  EXPECT_EQ(Split(k, "I'M fine"), (Words{"I", "'M", " fine"}));
  EXPECT_EQ(Split(k, "\n\n  x"), (Words{"\n\n", " ", " x"}));
  EXPECT_EQ(Split(k, "(hello)"), (Words{"(hello", ")"}));
  EXPECT_EQ(Split(k, "a.\n\nb"), (Words{"a", ".\n\n", "b"}));
  EXPECT_EQ(Split(k, "   \n  \n"), (Words{"   \n  \n"}));
  EXPECT_EQ(Split(k,
                  "\xC3\x9C"
                  "n\xC3\xAF"),
            (Words{"\xC3\x9C"
                   "n\xC3\xAF"}));
}

TEST(PreTokenizer, Qwen2SplitsDigitsOneByOne) {
  EXPECT_EQ(Split(PreTokenizer::kQwen2, "2024 ab"), (Words{"2", "0", "2", "4", " ab"}));
}

TEST(PreTokenizer, SentencePieceWords) {
  const std::string mark = "\xE2\x96\x81";
  EXPECT_EQ(Split(PreTokenizer::kSpaceRuns, mark + mark + "Hi" + mark + "x"),
            (Words{mark + mark + "Hi", mark + "x"}));
  EXPECT_EQ(Split(PreTokenizer::kMetaspaceWords, mark + mark + "Hi"), (Words{mark, mark + "Hi"}));
  EXPECT_EQ(Split(PreTokenizer::kWhole, "a b"), (Words{"a b"}));
}

TEST(PreTokenizer, KnowsItsRegexes) {
  EXPECT_EQ(PreTokenizerForRegex("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| "
                                 "?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)"),
            PreTokenizer::kGpt2);
  EXPECT_FALSE(PreTokenizerForRegex("\\w+").has_value());
}

// Whatever the bytes, the words tile the input exactly.
TEST(PreTokenizer, ArbitraryBytesAreCoveredExactly) {
  std::mt19937 rng(7);
  for (auto kind : {PreTokenizer::kGpt2, PreTokenizer::kLlama3, PreTokenizer::kQwen2,
                    PreTokenizer::kSpaceRuns, PreTokenizer::kMetaspaceWords}) {
    for (int trial = 0; trial < 200; ++trial) {
      std::string text(rng() % 40, '\0');
      for (char& c : text) c = static_cast<char>(rng() % 4 == 0 ? ' ' : rng());
      std::string joined;
      for (const std::string& w : Split(kind, text)) {
        ASSERT_FALSE(w.empty());
        joined += w;
      }
      EXPECT_EQ(joined, text);
    }
  }
}

}  // namespace
}  // namespace hfd::tok
