// The PCRE2 split step: behaviours, invert, bad patterns, runaway backtracking, bad UTF-8.
#include "engine/tokenizer/regex_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace hfd::tok {
namespace {

using Words = std::vector<std::string>;

Words Split(std::string_view pattern, std::string_view text,
            SplitBehavior behavior = SplitBehavior::kIsolated, bool invert = false) {
  auto regex = CompiledRegex::Compile(pattern);
  EXPECT_TRUE(regex.ok()) << regex.status().ToString();
  if (!regex.ok()) return {};
  RegexScratch scratch;
  std::vector<TextRange> pieces;
  const Status status =
      SplitByRegex(**regex, behavior, invert, text, {0, text.size()}, scratch, pieces);
  EXPECT_TRUE(status.ok()) << status.ToString();
  Words words;
  for (const TextRange& r : pieces) words.emplace_back(text.substr(r.begin, r.end - r.begin));
  return words;
}

TEST(RegexSplitter, Behaviors) {
  const std::string_view text = "a, b,,c";
  EXPECT_EQ(Split(",", text), (Words{"a", ",", " b", ",", ",", "c"}));
  EXPECT_EQ(Split(",", text, SplitBehavior::kRemoved), (Words{"a", " b", "c"}));
  EXPECT_EQ(Split(",", text, SplitBehavior::kMergedWithPrevious), (Words{"a,", " b,", ",", "c"}));
  EXPECT_EQ(Split(",", text, SplitBehavior::kMergedWithNext), (Words{"a", ", b", ",", ",c"}));
  EXPECT_EQ(Split(",", text, SplitBehavior::kContiguous), (Words{"a", ",", " b", ",,", "c"}));
  EXPECT_EQ(Split(",", ",a", SplitBehavior::kMergedWithPrevious), (Words{",", "a"}));
  EXPECT_EQ(Split(",", "a,", SplitBehavior::kMergedWithNext), (Words{"a", ","}));
}

TEST(RegexSplitter, InvertMakesGapsTheDelimiters) {
  // Hugging Face's Whitespace pre-tokenizer: keep words and symbols, drop the rest.
  EXPECT_EQ(Split("\\w+|[^\\w\\s]+", "Hi  there!", SplitBehavior::kRemoved, true),
            (Words{"Hi", "there", "!"}));
  EXPECT_EQ(Split("[0-9]+", "ab12cd", SplitBehavior::kMergedWithPrevious, true),
            (Words{"ab", "12cd"}));
}

TEST(RegexSplitter, EmptyMatchesSplitWithoutPieces) {
  // superbpe's thousands split: zero-width matches only mark where to cut.
  EXPECT_EQ(Split("(?=([0-9]{3})+(?![0-9]))", "1234567"), (Words{"1", "234", "567"}));
  EXPECT_EQ(Split("x*", "abc"), (Words{"a", "b", "c"}));
}

TEST(RegexSplitter, UnicodePropertiesAndDollarAtPieceEnd) {
  EXPECT_EQ(Split("\\p{L}+", "\xC3\xA9t\xC3\xA9 42"), (Words{"\xC3\xA9t\xC3\xA9", " 42"}));
  EXPECT_EQ(Split("\\s+$", "a \n"), (Words{"a", " \n"}));
  EXPECT_EQ(Split("\\s+$", "a\n b"), (Words{"a\n b"}));
}

TEST(RegexSplitter, PatternThatDoesNotCompileIsAClearError) {
  auto regex = CompiledRegex::Compile("(ab");
  ASSERT_FALSE(regex.ok());
  const std::string message = regex.status().ToString();
  EXPECT_NE(message.find("'(ab'"), std::string::npos) << message;
  EXPECT_NE(message.find("missing closing parenthesis"), std::string::npos) << message;
  EXPECT_NE(message.find("offset 3"), std::string::npos) << message;
}

TEST(RegexSplitter, CatastrophicBacktrackingIsBoundedAndReported) {
  auto regex = CompiledRegex::Compile("(a+)+$");
  ASSERT_TRUE(regex.ok());
  const std::string text = std::string(40, 'a') + "b";
  RegexScratch scratch;
  std::vector<TextRange> pieces;
  const Status status = SplitByRegex(**regex, SplitBehavior::kIsolated, false, text,
                                     {0, text.size()}, scratch, pieces);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.ToString().find("(a+)+$"), std::string::npos) << status.ToString();
  EXPECT_NE(status.ToString().find("limit"), std::string::npos) << status.ToString();
}

TEST(RegexSplitter, InvalidUtf8NeverMatchesButIsKept) {
  const std::string text = "ab\xFF\xC3(cd\xE2\x82";
  const Words words = Split("\\p{L}+|.", text);
  std::string joined;
  for (const std::string& w : words) joined += w;
  EXPECT_EQ(joined, text);
  EXPECT_EQ(words, (Words{"ab", "\xFF\xC3", "(", "cd", "\xE2\x82"}));
  // Every byte value, alone and after text, splits without error.
  for (int b = 0; b < 256; ++b) {
    const std::string s = "x" + std::string(1, static_cast<char>(b)) + "\xF0\x9F";
    joined.clear();
    for (const std::string& w : Split("\\s+|\\S", s)) joined += w;
    EXPECT_EQ(joined, s) << b;
  }
}

TEST(RegexSplitter, CompiledRegexIsSharedAcrossThreadsWithOwnScratch) {
  auto regex = CompiledRegex::Compile("\\p{N}{1,3}");
  ASSERT_TRUE(regex.ok());
  const std::string text(3000, '7');
  std::vector<std::thread> threads;
  std::vector<size_t> counts(4);
  for (size_t t = 0; t < counts.size(); ++t) {
    threads.emplace_back([&, t] {
      RegexScratch scratch;
      std::vector<TextRange> pieces;
      for (int i = 0; i < 50; ++i) {
        pieces.clear();
        if (!SplitByRegex(**regex, SplitBehavior::kIsolated, false, text, {0, text.size()}, scratch,
                          pieces)
                 .ok()) {
          return;
        }
      }
      counts[t] = pieces.size();
    });
  }
  for (auto& th : threads) th.join();
  for (size_t c : counts) EXPECT_EQ(c, 1000u);
}

}  // namespace
}  // namespace hfd::tok
