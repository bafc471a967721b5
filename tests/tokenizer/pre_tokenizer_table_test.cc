// llama.cpp's tokenizer.ggml.pre table, and the hand-written matchers against PCRE2.
#include "engine/tokenizer/pre_tokenizer_table.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "engine/tokenizer/pre_tokenizer_pipeline.h"
#include "tests/support/fixtures.h"

namespace hfd::tok {
namespace {

using Words = std::vector<std::string>;

TEST(GgufPreTokenizerTable, EveryEntryCompiles) {
  ASSERT_GT(GgufPreTokenizers().size(), 70u);
  for (const GgufPreTokenizer& entry : GgufPreTokenizers()) {
    auto pipeline = PreTokenizerPipeline::FromRegexes(entry.regexes);
    EXPECT_TRUE(pipeline.ok()) << entry.name << ": " << pipeline.status().ToString();
    EXPECT_FALSE(entry.regexes.empty()) << entry.name;
  }
}

TEST(GgufPreTokenizerTable, KnowsTheIssuesNamesAndRefusesOthers) {
  for (std::string_view name : {"default",      "llama3",
                                "llama-bpe",    "falcon3",
                                "deepseek-llm", "deepseek-coder",
                                "deepseek-v3",  "deepseek-r1-qwen",
                                "falcon",       "mpt",
                                "starcoder",    "gpt-2",
                                "phi-2",        "jina-es",
                                "jina-v2-code", "gigachat",
                                "roberta-bpe",  "refact",
                                "command-r",    "qwen2",
                                "stablelm2",    "olmo",
                                "dbrx",         "smaug-bpe",
                                "poro-chat",    "chatglm-bpe",
                                "viking",       "jais",
                                "tekken",       "smollm",
                                "codeshell",    "bloom",
                                "gpt3-finnish", "exaone",
                                "chameleon",    "minerva-7b",
                                "megrez",       "gpt-4o",
                                "superbpe",     "llama4",
                                "pixtral",      "seed-coder",
                                "kimi-k2"}) {
    EXPECT_NE(FindGgufPreTokenizer(name), nullptr) << name;
  }
  EXPECT_EQ(FindGgufPreTokenizer("no-such-pre"), nullptr);
  EXPECT_EQ(FindGgufPreTokenizer(""), nullptr);
}

TEST(GgufPreTokenizerTable, FlagsFollowLlamaCpp) {
  EXPECT_TRUE(FindGgufPreTokenizer("llama-bpe")->ignore_merges);
  EXPECT_TRUE(FindGgufPreTokenizer("llama-bpe")->add_bos);
  EXPECT_TRUE(FindGgufPreTokenizer("tekken")->ignore_merges);
  EXPECT_FALSE(FindGgufPreTokenizer("dbrx")->ignore_merges);
  EXPECT_FALSE(FindGgufPreTokenizer("qwen2")->add_bos);
}

PreTokenizer Chosen(std::string_view name) {
  auto pipeline = PreTokenizerPipeline::FromRegexes(FindGgufPreTokenizer(name)->regexes);
  EXPECT_TRUE(pipeline.ok());
  PreTokenizer pre = PreTokenizer::kWhole;
  std::shared_ptr<const PreTokenizerPipeline> stored;
  ChoosePreTokenizer(std::move(pipeline).value(), pre, stored);
  EXPECT_EQ(stored != nullptr, pre == PreTokenizer::kPipeline);
  return pre;
}

TEST(GgufPreTokenizerTable, KnownRegexesTakeTheHandWrittenMatchers) {
  EXPECT_EQ(Chosen("gpt-2"), PreTokenizer::kGpt2);
  EXPECT_EQ(Chosen("llama-bpe"), PreTokenizer::kLlama3);
  EXPECT_EQ(Chosen("dbrx"), PreTokenizer::kLlama3);
  EXPECT_EQ(Chosen("qwen2"), PreTokenizer::kQwen2);
  EXPECT_EQ(Chosen("deepseek-llm"), PreTokenizer::kPipeline);
  EXPECT_EQ(Chosen("refact"), PreTokenizer::kPipeline);
}

Words TableSplit(std::string_view name, std::string_view text);

// Splits worked out by hand from llama.cpp's source (its regex lists, its category
// collapsing), for entries that have no vocab vectors among the fixtures.
TEST(GgufPreTokenizerTable, SplitsAsLlamaCppReadsItsRegexes) {
  // '~' is neither \p{P} nor \p{S} for llama.cpp: it may lead a letter run, and it is
  // no part of a punctuation run.
  EXPECT_EQ(TableSplit("deepseek-v3", "~\xC3\xA4 ~!"), (Words{"~\xC3\xA4", " ", "~", "!"}));
  EXPECT_EQ(TableSplit("superbpe", "x1234567"), (Words{"x", "1", "234", "567"}));
  EXPECT_EQ(TableSplit("tiny_aya", "12345 abc"), (Words{"12", "345", " abc"}));
  EXPECT_EQ(TableSplit("deepseek-llm", "Hello \xE4\xB8\x96\xE7\x95\x8C\n"),
            (Words{"Hello", " ", "\xE4\xB8\x96\xE7\x95\x8C", "\n"}));
  EXPECT_EQ(TableSplit("starcoder", "ab 123"), (Words{"ab", " ", "1", "2", "3"}));
  EXPECT_EQ(TableSplit("kimi-k2",
                       "ab\xE4\xB8\x96"
                       "cd's"),
            (Words{"ab", "\xE4\xB8\x96", "cd's"}));
}

Words FastSplit(PreTokenizer kind, std::string_view text) {
  Words words;
  for (size_t pos = 0; pos < text.size();) {
    const size_t end = NextWordEnd(kind, text, pos);
    words.emplace_back(text.substr(pos, end - pos));
    pos = end;
  }
  return words;
}

Words PcreSplit(const PreTokenizerPipeline& pipeline, std::string_view text) {
  PipelineScratch scratch;
  std::vector<TextRange> pieces;
  const Status status = pipeline.Split(text, scratch, pieces);
  EXPECT_TRUE(status.ok()) << status.ToString();
  Words words;
  for (const TextRange& r : pieces) words.emplace_back(text.substr(r.begin, r.end - r.begin));
  return words;
}

struct FastCase {
  PreTokenizer kind;
  std::string_view regex;
};

// Each hand-written matcher with the regex of tokenizer.json and that of llama.cpp.
std::vector<FastCase> FastCases() {
  std::vector<FastCase> cases;
  for (const GgufPreTokenizer* e : {FindGgufPreTokenizer("gpt-2"), FindGgufPreTokenizer("llama3"),
                                    FindGgufPreTokenizer("qwen2")}) {
    cases.push_back({*PreTokenizerForRegex(e->regexes[0]), e->regexes[0]});
  }
  cases.push_back(
      {PreTokenizer::kGpt2,
       R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)"});
  cases.push_back(
      {PreTokenizer::kLlama3,
       R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"});
  cases.push_back(
      {PreTokenizer::kQwen2,
       R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"});
  for (const FastCase& c : cases) EXPECT_EQ(PreTokenizerForRegex(c.regex), c.kind) << c.regex;
  return cases;
}

std::vector<std::string> VocabStrings(const std::filesystem::path& fixtures) {
  std::vector<std::string> out;
  const std::string sep = "\n__ggml_vocab_test__\n";
  for (const char* name : {"ggml-vocab-gpt-2.gguf.inp", "ggml-vocab-deepseek-llm.gguf.inp",
                           "ggml-vocab-refact.gguf.inp", "ggml-vocab-llama-spm.gguf.inp"}) {
    const std::string text = ::hfd::testing::ReadFileOrFail(fixtures / "vocab" / name);
    for (size_t pos = 0; pos < text.size();) {
      size_t next = text.find(sep, pos);
      if (next == std::string::npos) next = text.size();
      out.push_back(text.substr(pos, next - pos));
      pos = next + sep.size();
    }
  }
  return out;
}

TEST(FastPaths, SplitAsPcre2OnVocabStrings) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const auto strings = VocabStrings(fixtures);
  ASSERT_GT(strings.size(), 100u);
  for (const FastCase& c : FastCases()) {
    const std::string_view one[] = {c.regex};
    auto pipeline = PreTokenizerPipeline::FromRegexes(one);
    ASSERT_TRUE(pipeline.ok());
    for (const std::string& s : strings) {
      EXPECT_EQ(FastSplit(c.kind, s), PcreSplit(*pipeline, s)) << c.regex << "\n'" << s << "'";
    }
  }
}

// Random valid UTF-8 from characters of every class the regexes tell apart. Invalid
// UTF-8 is left out on purpose: the matchers count an invalid byte as punctuation, while
// PCRE2 keeps it out of every match, so the pieces around it may differ.
TEST(FastPaths, SplitAsPcre2OnRandomText) {
  const std::vector<std::string> alphabet = {
      "a",
      "Z",
      "s",
      "S",
      "t",
      "m",
      "d",
      "l",
      "L",
      "r",
      "e",
      "v",
      "E",
      "'",
      "0",
      "7",
      " ",
      " ",
      "\n",
      "\r",
      "\t",
      "\v",
      "\f",
      "!",
      ".",
      "(",
      "_",
      "$",
      "~",
      "/",
      "\xC3\xA9",          // é
      "\xC3\x9C",          // Ü
      "\xCE\xA9",          // Ω
      "\xD0\x96",          // Ж
      "\xE4\xB8\xAD",      // 中
      "\xD9\xA3",          // ٣ (Arabic-Indic digit)
      "\xC2\xBD",          // ½ (No)
      "\xE2\x85\xA2",      // Ⅲ (Nl)
      "\xCC\x81",          // combining acute (Mn)
      "\xC2\xA0",          // no-break space
      "\xE3\x80\x80",      // ideographic space
      "\xE2\x80\xA8",      // line separator
      "\xC2\x85",          // next line
      "\xE2\x80\x94",      // em dash
      "\xF0\x9F\x98\x80",  // emoji
      "\xE2\x82\xAC",      // euro sign
  };
  std::mt19937 rng(11);
  for (const FastCase& c : FastCases()) {
    const std::string_view one[] = {c.regex};
    auto pipeline = PreTokenizerPipeline::FromRegexes(one);
    ASSERT_TRUE(pipeline.ok());
    for (int trial = 0; trial < 3000; ++trial) {
      std::string text;
      const size_t n = rng() % 24;
      for (size_t i = 0; i < n; ++i) text += alphabet[rng() % alphabet.size()];
      ASSERT_EQ(FastSplit(c.kind, text), PcreSplit(*pipeline, text))
          << c.regex << "\n'" << text << "'";
    }
  }
}

Words TableSplit(std::string_view name, std::string_view text) {
  const GgufPreTokenizer* entry = FindGgufPreTokenizer(name);
  if (entry == nullptr) return {"no entry " + std::string(name)};
  auto pipeline = PreTokenizerPipeline::FromRegexes(entry->regexes);
  if (!pipeline.ok()) return {pipeline.status().ToString()};
  return PcreSplit(*pipeline, text);
}

}  // namespace
}  // namespace hfd::tok
