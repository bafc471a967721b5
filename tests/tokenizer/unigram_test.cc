// Unigram tokenizers (tokenizer.json "Unigram", GGUF "t5") against sentencepiece's own ids
// for models trained with Debian's sentencepiece (testdata/unigram/make_reference.py made
// them and recorded the ids), plus sentencepiece's charsmap normalizer on bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/precompiled_charsmap.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/support/fixtures.h"

namespace hfd::tok {
namespace {

using ::hfd::testing::ReadFileOrFail;
using json = nlohmann::json;

const std::filesystem::path kData = HFD_UNIGRAM_TESTDATA;

json Reference() { return json::parse(ReadFileOrFail(kData / "reference.json")); }

std::unique_ptr<Tokenizer> LoadOrFail(const std::string& name) {
  auto t = name.ends_with(".gguf") ? Tokenizer::FromPath(kData / name)
                                   : Tokenizer::FromJson(ReadFileOrFail(kData / name), "", "");
  EXPECT_TRUE(t.ok()) << name << ": " << t.status().ToString();
  return t.ok() ? std::move(t).value() : nullptr;
}

std::vector<std::string> CorpusFor(const json& ref, const std::string& name) {
  auto corpus = ref["corpus"].get<std::vector<std::string>>();
  if (name.ends_with(".gguf")) {
    for (const auto& extra : ref["gguf_extra"]) corpus.push_back(extra.get<std::string>());
  }
  return corpus;
}

class SentencePieceIds : public ::testing::TestWithParam<const char*> {};

TEST_P(SentencePieceIds, MatchSentencePiece) {
  const json ref = Reference();
  const std::string name = GetParam();
  auto tokenizer = LoadOrFail(name);
  ASSERT_NE(tokenizer, nullptr);
  const auto corpus = CorpusFor(ref, name);
  const auto& expected = ref["ids"][name];
  ASSERT_EQ(expected.size(), corpus.size());
  for (size_t i = 0; i < corpus.size(); ++i) {
    EXPECT_EQ(tokenizer->Encode(corpus[i], false), expected[i].get<std::vector<int32_t>>())
        << name << " string #" << i << ": '" << corpus[i] << "'";
  }
}

INSTANTIATE_TEST_SUITE_P(Unigram, SentencePieceIds,
                         ::testing::Values("unigram.json", "unigram-byte-fallback.json",
                                           "unigram-digits.json", "t5-nfkc.gguf"));

// Identity normalization and Metaspace: every text without an unknown character decodes
// back to itself; with byte fallback that is every text.
TEST(Unigram, DecodeRoundTrips) {
  const json ref = Reference();
  for (const char* name : {"unigram.json", "unigram-byte-fallback.json"}) {
    auto tokenizer = LoadOrFail(name);
    ASSERT_NE(tokenizer, nullptr);
    size_t checked = 0;
    for (const std::string& text : CorpusFor(ref, name)) {
      const auto ids = tokenizer->Encode(text, false);
      if (std::find(ids.begin(), ids.end(), 0) != ids.end()) continue;  // <unk> is id 0
      EXPECT_EQ(tokenizer->Decode(ids), text) << name;
      ++checked;
    }
    EXPECT_GE(checked, 8u) << name;
  }
}

TEST(Unigram, GgufT5Settings) {
  auto tokenizer = LoadOrFail("t5-nfkc.gguf");
  ASSERT_NE(tokenizer, nullptr);
  EXPECT_TRUE(tokenizer->add_eos());
  EXPECT_FALSE(tokenizer->add_bos());
  const auto ids = tokenizer->Encode("Hello", true);
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids.back(), tokenizer->eos_id());
  // nmt_nfkc folds full-width letters; the decoded text is the normalized one.
  EXPECT_EQ(tokenizer->Decode(tokenizer->Encode("ｌｉｃｅｎｓｅ", false)), "license");
}

// A word far longer than any piece costs linear time: this would take seconds if each
// position tried every later one.
TEST(Unigram, LongWordIsLinear) {
  auto tokenizer = LoadOrFail("unigram-byte-fallback.json");
  ASSERT_NE(tokenizer, nullptr);
  const std::string word(1 << 20, 'e');
  EXPECT_FALSE(tokenizer->Encode(word, false).empty());
}

std::string UnigramJson(const std::string& vocab, const std::string& unk_id) {
  return R"({"model": {"type": "Unigram", "unk_id": )" + unk_id + R"(, "vocab": )" + vocab +
         R"(}, "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581"}})";
}

void ExpectCorrupt(const std::string& text, const std::string& needle) {
  auto t = Tokenizer::FromJson(text, "", "");
  ASSERT_FALSE(t.ok()) << text;
  EXPECT_NE(t.status().message().find(needle), std::string::npos) << t.status().ToString();
}

TEST(UnigramBadInput, ClearErrors) {
  const std::string vocab = R"([["<unk>", 0.0], ["\u2581a", -1.5], ["b", -2.0]])";
  ASSERT_TRUE(Tokenizer::FromJson(UnigramJson(vocab, "0"), "", "").ok());
  ExpectCorrupt(UnigramJson(vocab, "7"), "unk_id 7");
  ExpectCorrupt(UnigramJson(vocab, "-1"), "unk_id -1");
  ExpectCorrupt(UnigramJson(vocab, "null"), "unk_id");
  ExpectCorrupt(UnigramJson(R"([["<unk>", 0.0], ["a", "high"]])", "0"), "numeric score");
  ExpectCorrupt(UnigramJson(R"([["<unk>", 0.0], ["a"]])", "0"), "entry 1");
  ExpectCorrupt(UnigramJson("[]", "0"), "missing or empty");
  ExpectCorrupt(UnigramJson("{}", "0"), "missing or empty");
}

// The tokenizer_json_fuzzer seed: Digits then Metaspace, byte fallback with a missing byte.
TEST(Unigram, MetaspaceAfterDigits) {
  const std::string seed =
      ReadFileOrFail(kData.parent_path().parent_path() / "fuzz_corpus/small_unigram.json");
  auto t = Tokenizer::FromJson(std::string_view(seed).substr(1), "", "");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  // "a", "1", " a" -> "▁a", "▁1", "▁a"; "1" has neither a piece nor a byte token: <unk>.
  EXPECT_EQ((*t)->Encode("a1 a", false), (std::vector<int32_t>{3, 1, 0, 3}));
  EXPECT_EQ((*t)->Encode("A", false), (std::vector<int32_t>{1, 4}));
}

// The nmt_nfkc charsmap of the t5 reference vocabulary.
std::vector<uint8_t> RealCharsmap() {
  auto file = gguf::GgufFile::Open(kData / "t5-nfkc.gguf");
  EXPECT_TRUE(file.ok());
  if (!file.ok()) return {};
  const auto* e = (*file)->FindMetadata("tokenizer.ggml.precompiled_charsmap");
  EXPECT_NE(e, nullptr);
  if (e == nullptr) return {};
  return {e->payload.begin(), e->payload.end()};
}

TEST(PrecompiledCharsmap, NormalizesNfkc) {
  const auto blob = RealCharsmap();
  auto map = PrecompiledCharsmap::Parse(blob);
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  std::string out;
  (*map)->Normalize("ｆｕｌｌ ﬁ ① x\xC2\xA0y \xFF", out);
  EXPECT_EQ(out, "full fi 1 x y \xEF\xBF\xBD");
}

// Combining sequences where sentencepiece's longest match in its charsmap is not true NFKC
// (testdata/unigram/make_nmt_reference.py): hfd gives sentencepiece's result. (Hugging
// Face applies the map per grapheme cluster and would leave "e\u0301\u0323" unchanged,
// a third answer; no reference for it can be made here.)
TEST(PrecompiledCharsmap, LongestMatchAsSentencePiece) {
  const auto blob = RealCharsmap();
  auto map = PrecompiledCharsmap::Parse(blob);
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  const json ref = json::parse(ReadFileOrFail(kData / "nmt_reference.json"));
  ASSERT_FALSE(ref.at("charsmap").empty());
  size_t differ_from_nfkc = 0;
  for (const json& c : ref.at("charsmap")) {
    const std::string text = c.at("text");
    std::string out;
    (*map)->Normalize(text, out);
    EXPECT_EQ(out, c.at("nmt_nfkc").get<std::string>()) << text;
    differ_from_nfkc += out != c.at("nfkc_python").get<std::string>();
  }
  EXPECT_GT(differ_from_nfkc, 0u);  // the corpus shows the difference it documents
}

TEST(PrecompiledCharsmap, TruncatedOrCorruptIsAnError) {
  const auto blob = RealCharsmap();
  ASSERT_GT(blob.size(), 8u);
  const std::span<const uint8_t> all(blob);
  EXPECT_FALSE(PrecompiledCharsmap::Parse(all.first(0)).ok());
  EXPECT_FALSE(PrecompiledCharsmap::Parse(all.first(3)).ok());
  EXPECT_FALSE(PrecompiledCharsmap::Parse(all.first(blob.size() / 2)).ok());  // trie cut
  EXPECT_FALSE(PrecompiledCharsmap::Parse(all.first(blob.size() - 1)).ok());  // no final NUL
  std::vector<uint8_t> odd = blob;
  odd[0] ^= 1;  // a trie size that is no multiple of 4
  EXPECT_FALSE(PrecompiledCharsmap::Parse(odd).ok());

  // Units that point anywhere: parsing succeeds, normalizing stays inside the blob.
  std::vector<uint8_t> scrambled = blob;
  for (size_t i = 4; i + 4 < scrambled.size(); i += 7) scrambled[i] ^= 0x5A;
  scrambled.back() = 0;
  auto map = PrecompiledCharsmap::Parse(scrambled);
  ASSERT_TRUE(map.ok());
  std::string out;
  (*map)->Normalize("ｆｕｌｌ ﬁ ① Ⅻ abc \xFF\xFE", out);
  EXPECT_FALSE(out.empty());
}

TEST(PrecompiledCharsmap, TokenizerJsonNormalizer) {
  const std::string vocab = R"([["<unk>", 0.0], ["\u2581", -1.0], ["f", -2.0], ["i", -2.0]])";
  auto with_normalizer = [&](const std::string& charsmap) {
    std::string text = UnigramJson(vocab, "0");
    text.insert(1, R"("normalizer": {"type": "Precompiled", "precompiled_charsmap": ")" + charsmap +
                       R"("}, )");
    return text;
  };
  ExpectCorrupt(with_normalizer("not base64!"), "base64");
  ExpectCorrupt(with_normalizer("AAAA"), "charsmap");
}

std::string Base64(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t v = 0;
    for (size_t k = 0; k < 3; ++k) v = (v << 8) | (k < n ? bytes[i + k] : 0);
    for (size_t k = 0; k < 4; ++k) out.push_back(k <= n ? kDigits[(v >> (18 - 6 * k)) & 63] : '=');
  }
  return out;
}

// T5's tokenizer.json normalizer: the charsmap, then runs of spaces folded, in one list.
TEST(PrecompiledCharsmap, InASequenceWithReplace) {
  const std::string vocab =
      R"([["<unk>", 0.0], ["\u2581", -1.0], ["f", -2.0], ["i", -2.0], ["1", -2.0]])";
  std::string text = UnigramJson(vocab, "0");
  text.insert(1, R"("normalizer": {"type": "Sequence", "normalizers": [{"type": "Precompiled",
      "precompiled_charsmap": ")" +
                     Base64(RealCharsmap()) + R"("}, {"type": "Replace",
      "pattern": {"Regex": " {2,}"}, "content": " "}]}, )");
  auto t = Tokenizer::FromJson(text, "", "");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  // "ｆﬁ   ①" -> "ffi 1" -> "▁ffi", "▁1"
  EXPECT_EQ((*t)->Encode("ｆﬁ   ①", false), (std::vector<int32_t>{1, 2, 2, 3, 1, 4}));
}

TEST(RemoveExtraSpaces, FoldsRuns) {
  std::string out;
  RemoveExtraSpaces("  a  b c   ", out);
  EXPECT_EQ(out, "a b c");
  RemoveExtraSpaces("   ", out);
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace hfd::tok
