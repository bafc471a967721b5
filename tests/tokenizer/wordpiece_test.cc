// WordPiece and WordLevel models and the post-processors that add [CLS]/[SEP], on small
// hand-made tokenizer.json documents.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/tokenizer/tokenizer.h"
#include "tests/tokenizer/tiny_tokenizers.h"

namespace hfd::tok {
namespace {

using json = nlohmann::json;
using Ids = std::vector<int32_t>;

// BERT-shaped: [UNK] 0, [CLS] 1, [SEP] 2, un 3, ##aff 4, ##able 5, hello 6, "," 7, "!" 8,
// é 9, ##é 10, a 11, ##a 12; BertNormalizer (cased: no lowercase, no accent stripping),
// BertPreTokenizer, TemplateProcessing [CLS] $A [SEP], WordPiece decoder.
json BertDoc() {
  const json vocab = {{"[UNK]", 0},  {"[CLS]", 1}, {"[SEP]", 2}, {"un", 3}, {"##aff", 4},
                      {"##able", 5}, {"hello", 6}, {",", 7},     {"!", 8},  {"é", 9},
                      {"##é", 10},   {"a", 11},    {"##a", 12}};
  const json added = {{{"id", 0}, {"content", "[UNK]"}, {"special", true}},
                      {{"id", 1}, {"content", "[CLS]"}, {"special", true}},
                      {{"id", 2}, {"content", "[SEP]"}, {"special", true}}};
  return testing::BertDocument(vocab, added, /*lowercase=*/false);
}

std::unique_ptr<Tokenizer> Load(const json& doc) {
  auto t = Tokenizer::FromJson(doc.dump(), "", "");
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : nullptr;
}

TEST(WordPiece, LongestMatchFirstWithContinuations) {
  auto t = Load(BertDoc());
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Encode("unaffable", false), (Ids{3, 4, 5}));
  EXPECT_EQ(t->Encode("hello, unaffable!", false), (Ids{6, 7, 3, 4, 5, 8}));
  // Multi-byte pieces: é then the continuation ##é, ##a.
  EXPECT_EQ(t->Encode("éé a éa", false), (Ids{9, 10, 11, 9, 12}));
  EXPECT_EQ(t->Encode("  \t ", false), Ids{});
}

TEST(WordPiece, UnmatchedWordIsOneUnknown) {
  auto t = Load(BertDoc());
  ASSERT_NE(t, nullptr);
  // "un" matches, "x" starts no continuation: the whole word is [UNK], not "un [UNK]".
  EXPECT_EQ(t->Encode("unx hello", false), (Ids{0, 6}));
  EXPECT_EQ(t->Encode("zzz", false), (Ids{0}));
}

TEST(WordPiece, WordOverMaxCharsIsUnknown) {
  json doc = BertDoc();
  doc["model"]["max_input_chars_per_word"] = 8;
  auto t = Load(doc);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Encode("unaffable", false), (Ids{0}));                             // 9 characters
  EXPECT_EQ(t->Encode("éééééééé", false), (Ids{9, 10, 10, 10, 10, 10, 10, 10}));  // 8 characters
}

TEST(WordPiece, TemplateAddsClsAndSepAndDecodeJoinsWords) {
  auto t = Load(BertDoc());
  ASSERT_NE(t, nullptr);
  const Ids ids = t->Encode("hello, unaffable!", true);
  EXPECT_EQ(ids, (Ids{1, 6, 7, 3, 4, 5, 8, 2}));
  EXPECT_EQ(t->Decode(ids, /*skip_special=*/true), "hello, unaffable!");
  EXPECT_EQ(t->Decode(ids), "[CLS] hello, unaffable! [SEP]");
  EXPECT_EQ(t->bos_id(), 1);
  EXPECT_EQ(t->eos_id(), 2);
}

TEST(PostProcessor, BertAndRobertaProcessing) {
  for (const char* type : {"BertProcessing", "RobertaProcessing"}) {
    json doc = BertDoc();
    doc["post_processor"] = {{"type", type},
                             {"cls", {"[CLS]", 1}},
                             {"sep", {"[SEP]", 2}},
                             {"trim_offsets", true},
                             {"add_prefix_space", false}};
    auto t = Load(doc);
    ASSERT_NE(t, nullptr) << type;
    EXPECT_EQ(t->Encode("hello", true), (Ids{1, 6, 2})) << type;
    EXPECT_EQ(t->Encode("hello", false), (Ids{6})) << type;
  }
}

TEST(PostProcessor, TemplateTokenWithSeveralIds) {
  json doc = BertDoc();
  doc["post_processor"]["special_tokens"]["[CLS]"]["ids"] = {1, 2};
  auto t = Load(doc);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Encode("hello", true), (Ids{1, 2, 6, 2}));
}

TEST(PostProcessor, BadPairsAreErrors) {
  json doc = BertDoc();
  doc["post_processor"] = {{"type", "BertProcessing"}, {"cls", {"[CLS]"}}, {"sep", {"[SEP]", 2}}};
  EXPECT_FALSE(Tokenizer::FromJson(doc.dump(), "", "").ok());
  doc["post_processor"] = {
      {"type", "BertProcessing"}, {"cls", {"[CLS]", 99}}, {"sep", {"[SEP]", 2}}};
  auto r = Tokenizer::FromJson(doc.dump(), "", "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("id 99 is outside the vocabulary"), std::string::npos)
      << r.status().ToString();
}

// Hugging Face's pair encodings (processors/template.rs, bert.rs, roberta.rs): "hello" is
// 6, "unaffable" 3 4 5, [CLS] 1, [SEP] 2.
TEST(PostProcessor, TemplatePairGivesIdsAndTypeIds) {
  auto t = Load(BertDoc());
  ASSERT_NE(t, nullptr);
  auto pair = t->EncodePair("hello", "unaffable", true);
  ASSERT_TRUE(pair.ok()) << pair.status().ToString();
  EXPECT_EQ(pair->ids, (Ids{1, 6, 2, 3, 4, 5, 2}));
  EXPECT_EQ(pair->type_ids, (Ids{0, 0, 0, 1, 1, 1, 1}));
  // Without special tokens the texts keep the template's type ids.
  auto bare = t->EncodePair("hello", "unaffable", false);
  ASSERT_TRUE(bare.ok()) << bare.status().ToString();
  EXPECT_EQ(bare->ids, (Ids{6, 3, 4, 5}));
  EXPECT_EQ(bare->type_ids, (Ids{0, 1, 1, 1}));
}

TEST(PostProcessor, TemplatePairTypeIdsAsWritten) {
  json doc = BertDoc();
  // Any order and type ids: B first with type 2, a multi-id special token in between.
  doc["post_processor"]["pair"] = {{{"Sequence", {{"id", "B"}, {"type_id", 2}}}},
                                   {{"SpecialToken", {{"id", "[CLS]"}, {"type_id", 3}}}},
                                   {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}};
  doc["post_processor"]["special_tokens"]["[CLS]"]["ids"] = {1, 2};
  auto t = Load(doc);
  ASSERT_NE(t, nullptr);
  auto pair = t->EncodePair("hello", "a", true);
  ASSERT_TRUE(pair.ok()) << pair.status().ToString();
  EXPECT_EQ(pair->ids, (Ids{11, 1, 2, 6}));
  EXPECT_EQ(pair->type_ids, (Ids{2, 3, 3, 0}));
}

TEST(PostProcessor, BertRobertaAndNoProcessorPairs) {
  struct Case {
    json processor;
    Ids ids, types, bare_types;
  };
  const json cls_sep = {{"cls", {"[CLS]", 1}}, {"sep", {"[SEP]", 2}}};
  json bert = cls_sep;
  bert["type"] = "BertProcessing";
  json roberta = cls_sep;
  roberta["type"] = "RobertaProcessing";
  const Case cases[] = {
      {bert, {1, 6, 2, 11, 2}, {0, 0, 0, 1, 1}, {0, 1}},
      // RoBERTa: <s> A </s> </s> B </s>, and every type id 0.
      {roberta, {1, 6, 2, 2, 11, 2}, {0, 0, 0, 0, 0, 0}, {0, 0}},
      // No post-processor: the texts one after the other, types 0 and 1.
      {nullptr, {6, 11}, {0, 1}, {0, 1}},
      {{{"type", "ByteLevel"}}, {6, 11}, {0, 1}, {0, 1}},
  };
  for (const Case& c : cases) {
    json doc = BertDoc();
    doc["post_processor"] = c.processor;
    auto t = Load(doc);
    ASSERT_NE(t, nullptr) << c.processor;
    auto pair = t->EncodePair("hello", "a", true);
    ASSERT_TRUE(pair.ok()) << pair.status().ToString();
    EXPECT_EQ(pair->ids, c.ids) << c.processor;
    EXPECT_EQ(pair->type_ids, c.types) << c.processor;
    auto bare = t->EncodePair("hello", "a", false);
    ASSERT_TRUE(bare.ok()) << bare.status().ToString();
    EXPECT_EQ(bare->ids, (Ids{6, 11})) << c.processor;
    EXPECT_EQ(bare->type_ids, c.bare_types) << c.processor;
  }
}

TEST(PostProcessor, TemplateWithoutPairCannotEncodePairs) {
  json doc = BertDoc();
  doc["post_processor"].erase("pair");
  auto t = Load(doc);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Encode("hello", true), (Ids{1, 6, 2}));
  auto pair = t->EncodePair("hello", "a", true);
  ASSERT_FALSE(pair.ok());
  EXPECT_EQ(pair.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(pair.status().message().find("no 'pair' template"), std::string::npos)
      << pair.status().ToString();
}

TEST(PostProcessor, MalformedPairTemplatesAreErrors) {
  const std::pair<json, const char*> cases[] = {
      {"[CLS] $A [SEP] $B:1 [SEP]:1", "'pair' is missing or not a list"},
      {{{{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}, "does not use both $A and $B"},
      {{{{"Sequence", {{"id", "A"}}}}, {{"Sequence", {{"id", "C"}}}}}, "id is not A or B"},
      {{{{"Sequence", {{"id", "A"}, {"type_id", -1}}}}, {{"Sequence", {{"id", "B"}}}}},
       "type_id that is not a non-negative integer"},
      {{{{"Sequence", {{"id", "A"}}}}, {{"Sequence", {{"id", "B"}}}}, 7},
       "neither a Sequence nor a SpecialToken"},
      {{{{"Sequence", {{"id", "A"}}}}, {{"SpecialToken", {{"id", "[NOPE]"}}}}},
       "'[NOPE]' is not in the vocabulary"},
  };
  for (const auto& [pair, message] : cases) {
    json doc = BertDoc();
    doc["post_processor"]["pair"] = pair;
    auto r = Tokenizer::FromJson(doc.dump(), "", "");
    ASSERT_FALSE(r.ok()) << pair;
    EXPECT_EQ(r.status().code(), ErrorCode::kCorrupt) << pair;
    EXPECT_NE(r.status().message().find(message), std::string::npos) << r.status().ToString();
  }
  json doc = BertDoc();
  doc["post_processor"]["single"][1]["Sequence"]["id"] = "B";
  auto r = Tokenizer::FromJson(doc.dump(), "", "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'single' uses $B"), std::string::npos)
      << r.status().ToString();
}

TEST(WordPiece, VocabularyWithoutUnknownIsRefused) {
  json doc = BertDoc();
  doc["model"]["vocab"].erase("[UNK]");
  doc["added_tokens"].erase(0);
  auto r = Tokenizer::FromJson(doc.dump(), "", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(r.status().message().find("unk_token '[UNK]' is not in the vocabulary"),
            std::string::npos)
      << r.status().ToString();
}

TEST(WordPiece, ReplaceRegexThatDoesNotCompileIsRefused) {
  json doc = BertDoc();
  doc["normalizer"] = {{"type", "Sequence"},
                       {"normalizers",
                        {{{"type", "Replace"}, {"pattern", {{"Regex", "[a-"}}}, {"content", ""}},
                         {{"type", "Lowercase"}}}}};
  auto r = Tokenizer::FromJson(doc.dump(), "", "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'[a-' does not compile"), std::string::npos)
      << r.status().ToString();
}

TEST(WordLevel, WholeWordsOrUnknown) {
  const json doc = {{"normalizer", {{"type", "Lowercase"}}},
                    {"pre_tokenizer", {{"type", "WhitespaceSplit"}}},
                    {"model",
                     {{"type", "WordLevel"},
                      {"unk_token", "<unk>"},
                      {"vocab", {{"<unk>", 0}, {"hello", 1}, {"world", 2}}}}}};
  auto t = Load(doc);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->Encode("Hello big  WORLD", false), (Ids{1, 0, 2}));
  EXPECT_EQ(t->Decode(Ids{1, 2}), "hello world");
  json no_unk = doc;
  no_unk["model"]["unk_token"] = "[missing]";
  EXPECT_FALSE(Tokenizer::FromJson(no_unk.dump(), "", "").ok());
}

}  // namespace
}  // namespace hfd::tok
