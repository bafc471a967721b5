// The UnicodeScripts and CharDelimiterSplit pre-tokenizers, against Hugging Face
// tokenizers' own test vectors (pre_tokenizers/unicode_scripts) and rules.
#include "engine/tokenizer/script_splitter.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/tokenizer/tokenizer.h"
#include "tests/tokenizer/tiny_tokenizers.h"

namespace hfd::tok {
namespace {

using Pieces = std::vector<std::string>;
using Ids = std::vector<int32_t>;

Pieces Split(std::string_view text) {
  std::vector<TextRange> ranges;
  SplitByScript(text, {0, text.size()}, ranges);
  Pieces out;
  for (const TextRange& r : ranges) out.emplace_back(text.substr(r.begin, r.end - r.begin));
  return out;
}

TEST(UnicodeScripts, ScriptsAsHuggingFaceCountsThem) {
  // Han, Hiragana, Katakana and U+30FC are one script; digits and ASCII symbols Common.
  const int han = UnicodeScriptOf(0x4EAC);  // 京
  for (uint32_t cp : {0x592Au /*太*/, 0x3044u /*い*/, 0x30B0u /*グ*/, 0x30FCu /*ー*/}) {
    EXPECT_EQ(UnicodeScriptOf(cp), han) << std::hex << cp;
  }
  EXPECT_EQ(UnicodeScriptOf('a'), UnicodeScriptOf('A'));
  EXPECT_NE(UnicodeScriptOf('a'), han);
  const int common = UnicodeScriptOf('0');
  for (uint32_t cp : {0x24u /*$*/, 0x40u /*@*/, 0x2Du /*-*/, 0xFFFDu}) {
    EXPECT_EQ(UnicodeScriptOf(cp), common) << cp;
  }
  EXPECT_NE(UnicodeScriptOf('a'), common);
  EXPECT_EQ(UnicodeScriptOf(' '), kAnyScript);
  // Not in Hugging Face's Unicode 9.0 table: unassigned, or newer (U+1F970, Unicode 11).
  EXPECT_EQ(UnicodeScriptOf(0x0378), kAnyScript);
  EXPECT_EQ(UnicodeScriptOf(0x1F970), kAnyScript);
  EXPECT_EQ(UnicodeScriptOf(0x1F600), common);  // 😀, Unicode 6.1
}

TEST(UnicodeScripts, SplitsWhereTheScriptChanges) {
  // Hugging Face's test vectors.
  EXPECT_EQ(Split("どこで生れ。Yes"), (Pieces{"どこで生れ", "。", "Yes"}));
  EXPECT_EQ(Split("Apples are りんご 林檎"), (Pieces{"Apples are ", "りんご 林檎"}));
  EXPECT_EQ(Split("abc123!?"), (Pieces{"abc", "123!?"}));
  EXPECT_EQ(Split("Привет, мир"), (Pieces{"Привет", ", ", "мир"}));
  // Spaces (and code points of "Any" script) before the first other character are
  // dropped, as in Hugging Face; a piece of only such characters disappears.
  EXPECT_EQ(Split("  ab c"), (Pieces{"ab c"}));
  EXPECT_EQ(Split("   "), (Pieces{}));
  EXPECT_EQ(Split("a\xF0\x9F\xA5\xB0"
                  "b"),
            (Pieces{"a\xF0\x9F\xA5\xB0"
                    "b"}));  // U+1F970
  EXPECT_EQ(Split("a\xF0\x9F\x98\x80"
                  "b"),
            (Pieces{"a", "\xF0\x9F\x98\x80", "b"}));  // U+1F600
  // An invalid byte joins its neighbours like a space.
  EXPECT_EQ(Split("a\xFF"
                  "b1"),
            (Pieces{"a\xFF"
                    "b",
                    "1"}));
}

// tokenizer.json steps before a byte-level model: "ab" is 256, "abc" 257.
std::unique_ptr<Tokenizer> WithPreTokenizer(const nlohmann::json& step) {
  nlohmann::json doc = nlohmann::json::parse(testing::TinyByteLevelJson());
  doc["pre_tokenizer"] = {
      {"type", "Sequence"},
      {"pretokenizers",
       {step, {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}}}};
  auto t = Tokenizer::FromJson(doc.dump(), "", "");
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : nullptr;
}

TEST(UnicodeScripts, RunsFromTokenizerJson) {
  auto t = WithPreTokenizer({{"type", "UnicodeScripts"}});
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Encode("ab.abc", false), (Ids{256, '.', 257}));
  EXPECT_EQ(t->Encode("  ab", false), (Ids{256}));
}

TEST(CharDelimiterSplit, CutsAtTheCharacterAndDropsIt) {
  auto t = WithPreTokenizer({{"type", "CharDelimiterSplit"}, {"delimiter", "c"}});
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Encode("abcab", false), (Ids{256, 256}));
  EXPECT_EQ(t->Encode("ccabc", false), (Ids{256}));
  // Regex syntax means nothing in the delimiter; any character works.
  auto dot = WithPreTokenizer({{"type", "CharDelimiterSplit"}, {"delimiter", "."}});
  ASSERT_NE(dot, nullptr);
  EXPECT_EQ(dot->Encode("ab.abc", false), (Ids{256, 257}));
  auto e_acute = WithPreTokenizer({{"type", "CharDelimiterSplit"}, {"delimiter", "\xC3\xA9"}});
  ASSERT_NE(e_acute, nullptr);
  EXPECT_EQ(e_acute->Encode("ab\xC3\xA9"
                            "abc",
                            false),
            (Ids{256, 257}));
}

TEST(CharDelimiterSplit, DelimiterMustBeOneCharacter) {
  for (const nlohmann::json& delimiter :
       {nlohmann::json(nullptr), nlohmann::json(""), nlohmann::json("ab"), nlohmann::json(7)}) {
    nlohmann::json doc = nlohmann::json::parse(testing::TinyByteLevelJson());
    doc["pre_tokenizer"] = {{"type", "CharDelimiterSplit"}, {"delimiter", delimiter}};
    auto r = Tokenizer::FromJson(doc.dump(), "", "");
    ASSERT_FALSE(r.ok()) << delimiter;
    EXPECT_EQ(r.status().code(), ErrorCode::kCorrupt);
    EXPECT_NE(r.status().message().find("'delimiter' is not a string of one character"),
              std::string::npos)
        << r.status().ToString();
  }
}

}  // namespace
}  // namespace hfd::tok
