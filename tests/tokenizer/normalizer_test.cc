// Each normalizer step against reference strings (Python's unicodedata for the
// normalization forms; Hugging Face's documented behaviour for the others).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/tokenizer/hf_json.h"
#include "engine/tokenizer/hf_normalizer.h"
#include "tests/support/fixtures.h"

namespace hfd::tok {
namespace {

using json = nlohmann::json;

// `text` through the normalizer the tokenizer.json steps describe.
std::string NormalizeSteps(const std::vector<json>& steps, std::string_view text) {
  std::vector<const json*> pointers;
  pointers.reserve(steps.size());
  for (const json& s : steps) pointers.push_back(&s);
  auto normalizer = ReadNormalizer(pointers);
  EXPECT_TRUE(normalizer.ok()) << normalizer.status().ToString();
  if (!normalizer.ok()) return "<error>";
  NormalizerScratch scratch;
  std::string out;
  (*normalizer)->Apply(text, scratch, out);
  return out;
}

std::string Normalize(const json& step, std::string_view text) {
  return NormalizeSteps(std::vector<json>{step}, text);
}

// sentencepiece's nmt_nfkc and nfkc rules on controls, separators and compatibility forms
// (testdata/unigram/make_nmt_reference.py): Hugging Face's Sequence[Nmt, NFKC], the
// normalizer it gives sentencepiece-style Unigram tokenizers, matches nmt_nfkc, and NFKC
// alone matches nfkc, so Nmt is what tells the two rules apart.
TEST(Normalizer, NmtThenNfkcMatchesSentencePiece) {
  const json ref = json::parse(hfd::testing::ReadFileOrFail(
      std::filesystem::path(HFD_UNIGRAM_TESTDATA) / "nmt_reference.json"));
  ASSERT_FALSE(ref.at("nmt").empty());
  const std::vector<json> nmt_nfkc = {{{"type", "Nmt"}}, {{"type", "NFKC"}}};
  for (const json& c : ref.at("nmt")) {
    const std::string text = c.at("text");
    EXPECT_EQ(NormalizeSteps(nmt_nfkc, text), c.at("nmt_nfkc").get<std::string>()) << text;
    if (c.at("nfkc").is_null()) continue;  // a "▁" in the text: see the script
    EXPECT_EQ(Normalize({{"type", "NFKC"}}, text), c.at("nfkc").get<std::string>()) << text;
  }
  // One known difference: sentencepiece keeps U+200D (zero width joiner), Hugging Face's
  // Nmt, which hfd follows, makes it a space like the rest of U+200B..U+200F.
  ASSERT_FALSE(ref.at("zwj").empty());
  for (const json& c : ref.at("zwj")) {
    std::string expected = c.at("nmt_nfkc");
    const std::string zwj = "\u200D";
    ASSERT_NE(expected.find(zwj), std::string::npos) << expected;
    for (size_t at; (at = expected.find(zwj)) != std::string::npos;) expected.replace(at, 3, " ");
    EXPECT_EQ(NormalizeSteps(nmt_nfkc, c.at("text").get<std::string>()), expected);
  }
}

TEST(Normalizer, UnicodeFormsMatchPython) {
  // python3 -c 'import unicodedata; print(unicodedata.normalize(FORM, TEXT))'
  EXPECT_EQ(Normalize({{"type", "NFKC"}}, "ﬁ①Ａ㎏"), "fi1Akg");
  EXPECT_EQ(Normalize({{"type", "NFKC"}}, "e\u0301 ｶﾞ"), "é ガ");
  EXPECT_EQ(Normalize({{"type", "NFD"}}, "Éé"), "E\u0301e\u0301");
  EXPECT_EQ(Normalize({{"type", "NFKD"}}, "ﬁé"), "fie\u0301");
  EXPECT_EQ(Normalize({{"type", "NFC"}}, "e\u0301A\u030a"), "éÅ");
  // Invalid UTF-8 passes through and the valid text around it is still normalized.
  EXPECT_EQ(Normalize({{"type", "NFD"}}, "é\xFFé"),
            "e\u0301\xFF"
            "e\u0301");
}

TEST(Normalizer, LowercaseIsFullMappingPerCharacter) {
  EXPECT_EQ(Normalize({{"type", "Lowercase"}}, "ÀBÇ ΣΑΣ Hello"), "àbç σασ hello");
  // İ's full lowercase mapping is two characters.
  EXPECT_EQ(Normalize({{"type", "Lowercase"}}, "İ"), "i\u0307");
}

TEST(Normalizer, StripSides) {
  EXPECT_EQ(Normalize({{"type", "Strip"}, {"strip_left", true}, {"strip_right", true}},
                      " \t hi there \u3000\n"),
            "hi there");
  EXPECT_EQ(Normalize({{"type", "Strip"}, {"strip_left", true}, {"strip_right", false}}, "  hi  "),
            "hi  ");
  EXPECT_EQ(Normalize({{"type", "Strip"}, {"strip_left", false}, {"strip_right", true}}, "  hi  "),
            "  hi");
  EXPECT_EQ(Normalize({{"type", "Strip"}}, " \t "), "");
}

TEST(Normalizer, StripAccentsDropsNonspacingMarks) {
  EXPECT_EQ(NormalizeSteps({{{"type", "NFD"}}, {{"type", "StripAccents"}}}, "Héllò hôw are ü?"),
            "Hello how are u?");
}

TEST(Normalizer, NmtDropsControlsAndSpacesOtherSeparators) {
  // Hugging Face's Nmt: \x01 and DEL dropped; tab, newline, ZWSP, BOM, U+FFFD and "▁" become
  // spaces; NUL, ordinary text and U+3000 stay.
  EXPECT_EQ(
      Normalize({{"type", "Nmt"}}, std::string("a\x01"
                                               "b\x7F\tc\nd\u200Be\uFEFFf\uFFFDg\u2581h\u3000i") +
                                       '\0'),
      std::string("ab c d e f g h\u3000i") + '\0');
}

TEST(Normalizer, ReplaceStringAndRegex) {
  EXPECT_EQ(Normalize({{"type", "Replace"}, {"pattern", {{"String", "ab"}}}, {"content", "X"}},
                      "abcab a b"),
            "XcX a b");
  EXPECT_EQ(Normalize({{"type", "Replace"}, {"pattern", {{"Regex", "\\s+"}}}, {"content", " "}},
                      "a  \t b\n\nc"),
            "a b c");
  EXPECT_EQ(Normalize({{"type", "Replace"}, {"pattern", {{"Regex", "``|''"}}}, {"content", "\""}},
                      "``hi''"),
            "\"hi\"");
}

TEST(Normalizer, PrependOnlyToNonEmptyText) {
  EXPECT_EQ(Normalize({{"type", "Prepend"}, {"prepend", ">>"}}, "hi"), ">>hi");
  EXPECT_EQ(Normalize({{"type", "Prepend"}, {"prepend", ">>"}}, ""), "");
}

TEST(Normalizer, SequenceRunsInOrder) {
  const json sequence = {{"type", "Sequence"},
                         {"normalizers",
                          {{{"type", "Replace"}, {"pattern", {{"String", "A"}}}, {"content", "B"}},
                           {{"type", "Lowercase"}}}}};
  std::vector<const json*> steps;
  Flatten(&sequence, "normalizers", steps);
  ASSERT_EQ(steps.size(), 2u);
  auto normalizer = ReadNormalizer(steps);
  ASSERT_TRUE(normalizer.ok());
  NormalizerScratch scratch;
  std::string out;
  (*normalizer)->Apply("AaB", scratch, out);
  EXPECT_EQ(out, "bab");
}

TEST(Normalizer, BertCleansSpacesCjkStripsAccentsAndLowercases) {
  const json bert = {{"type", "BertNormalizer"},
                     {"clean_text", true},
                     {"handle_chinese_chars", true},
                     {"strip_accents", nullptr},
                     {"lowercase", true}};
  // Tab -> space, U+0001 and U+200D (Cf) dropped, ideographs spaced, é -> e, Ö -> o.
  EXPECT_EQ(Normalize(bert, "Héllo\tWÖRLD\x01\u200D中文"), "hello world 中  文 ");
  // strip_accents null follows lowercase: both off keeps the text's case and accents.
  json cased = bert;
  cased["lowercase"] = false;
  EXPECT_EQ(Normalize(cased, "Héllo"), "Héllo");
  // Lowercase without stripping keeps the composed accent.
  json keep = bert;
  keep["strip_accents"] = false;
  EXPECT_EQ(Normalize(keep, "HÉLLO"), "héllo");
  // Korean syllables stay decomposed into jamo after stripping, as in HF.
  EXPECT_EQ(Normalize(bert, "한"), "\u1112\u1161\u11AB");
}

TEST(Normalizer, BadStepsAreErrors) {
  const json bad_regex = {{"type", "Replace"}, {"pattern", {{"Regex", "(a"}}}, {"content", ""}};
  std::vector<const json*> steps{&bad_regex};
  auto r = ReadNormalizer(steps);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'(a' does not compile"), std::string::npos)
      << r.status().ToString();
  const json unknown = {{"type", "ByteLevel"}};
  steps = {&unknown};
  r = ReadNormalizer(steps);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnsupported);
  const json no_content = {{"type", "Replace"}, {"pattern", {{"String", "a"}}}};
  steps = {&no_content};
  EXPECT_FALSE(ReadNormalizer(steps).ok());
}

}  // namespace
}  // namespace hfd::tok
