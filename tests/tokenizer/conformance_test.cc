// The tokenizers against llama.cpp's and transformers' own ids for the fixture models.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/support/fixtures.h"
#include "tests/tokenizer/tiny_tokenizers.h"

namespace hfd::tok {
namespace {

using ::hfd::testing::ReadFileOrFail;

std::unique_ptr<Tokenizer> LoadOrFail(const std::filesystem::path& path) {
  auto t = Tokenizer::FromPath(path);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : nullptr;
}

std::vector<std::string> SplitInputs(const std::string& text) {
  // Strings are separated by "\n__ggml_vocab_test__\n"; the first has no leading newline.
  const std::string sep = "__ggml_vocab_test__\n";
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t next = text.find(sep, pos);
    if (next == std::string::npos) break;
    std::string item = text.substr(pos, next - pos);
    if (!item.empty() && item.back() == '\n') item.pop_back();
    out.push_back(item);
    pos = next + sep.size();
  }
  return out;
}

std::vector<std::vector<int32_t>> ReadOutputs(const std::string& text) {
  std::vector<std::vector<int32_t>> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream ids(line);
    std::vector<int32_t> row;
    int32_t id;
    while (ids >> id) row.push_back(id);
    out.push_back(row);
  }
  return out;
}

class VocabTest : public ::testing::TestWithParam<const char*> {};

// Encodes each string of a llama.cpp vocab test's .inp file, expecting the .out file's ids.
void ExpectVocabTestIds(const std::filesystem::path& model, const std::filesystem::path& inp,
                        const std::filesystem::path& out) {
  auto tokenizer = LoadOrFail(model);
  ASSERT_NE(tokenizer, nullptr);
  const auto inputs = SplitInputs(ReadFileOrFail(inp));
  const auto outputs = ReadOutputs(ReadFileOrFail(out));
  ASSERT_EQ(inputs.size(), outputs.size());
  ASSERT_GT(inputs.size(), 30u);
  for (size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_EQ(tokenizer->Encode(inputs[i], /*add_special=*/false), outputs[i])
        << "string #" << i << ": '" << inputs[i] << "'";
  }
}

TEST_P(VocabTest, MatchesLlamaCppIds) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const std::filesystem::path gguf = fixtures / "vocab" / GetParam();
  ExpectVocabTestIds(gguf, gguf.string() + ".inp", gguf.string() + ".out");
}

INSTANTIATE_TEST_SUITE_P(Fixtures, VocabTest,
                         ::testing::Values("ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf",
                                           "ggml-vocab-deepseek-llm.gguf", "ggml-vocab-refact.gguf",
                                           "ggml-vocab-baichuan.gguf", "ggml-vocab-bert-bge.gguf"));

// bge-small-en-v1.5's tokenizer.json, rebuilt from the GGUF vocabulary by undoing
// llama.cpp's converter ("▁word" -> "word", "piece" -> "##piece", "[...]" kept): the same
// ids through the tokenizer.json path (BertNormalizer, BertPreTokenizer, WordPiece,
// TemplateProcessing, WordPiece decoder).
std::string BgeTokenizerJson(const gguf::GgufFile& file) {
  const auto tokens = file.GetStringViewArray("tokenizer.ggml.tokens");
  const auto types = file.GetI32Array("tokenizer.ggml.token_type");
  EXPECT_TRUE(tokens.ok() && types.ok());
  if (!tokens.ok() || !types.ok()) return "";
  const std::string_view mark = "\xE2\x96\x81";
  nlohmann::json vocab = nlohmann::json::object();
  nlohmann::json added = nlohmann::json::array();
  for (size_t id = 0; id < tokens->size(); ++id) {
    const std::string_view t = (*tokens)[id];
    if ((*types)[id] == 3) {  // control: [PAD] [UNK] [CLS] [SEP] [MASK]
      added.push_back({{"id", id}, {"content", t}, {"special", true}});
    }
    std::string text;
    if (t.starts_with(mark)) {
      text = t.substr(mark.size());
    } else if (t.starts_with("[") && t.ends_with("]")) {
      text = t;
    } else {
      text = "##" + std::string(t);
    }
    vocab[text] = id;
  }
  return testing::BertDocument(vocab, added, /*lowercase=*/true).dump();
}

// bge's vocabulary both ways: the GGUF file, and the tokenizer.json written from it.
struct Bge {
  std::filesystem::path path;
  std::unique_ptr<Tokenizer> from_json;
  std::unique_ptr<Tokenizer> from_gguf;
};

Bge LoadBge(const std::filesystem::path& fixtures) {
  Bge bge{fixtures / "vocab" / "ggml-vocab-bert-bge.gguf", nullptr, nullptr};
  auto file = gguf::GgufFile::Open(bge.path);
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  if (!file.ok()) return bge;
  auto from_json = Tokenizer::FromJson(BgeTokenizerJson(**file), "", "");
  EXPECT_TRUE(from_json.ok()) << from_json.status().ToString();
  if (from_json.ok()) bge.from_json = std::move(from_json).value();
  bge.from_gguf = LoadOrFail(bge.path);
  return bge;
}

TEST(BertBge, TokenizerJsonGivesTheGgufVectorsIds) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const auto [path, from_json, from_gguf] = LoadBge(fixtures);
  ASSERT_NE(from_json, nullptr);
  ASSERT_NE(from_gguf, nullptr);
  const auto inputs = SplitInputs(ReadFileOrFail(path.string() + ".inp"));
  const auto outputs = ReadOutputs(ReadFileOrFail(path.string() + ".out"));
  ASSERT_EQ(inputs.size(), outputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_EQ(from_json->Encode(inputs[i], false), outputs[i]) << "string #" << i;
    EXPECT_EQ(from_json->Decode(outputs[i]), from_gguf->Decode(outputs[i])) << "string #" << i;
  }
  // Both add [CLS] and [SEP] for add_special, and decode to readable text.
  const std::vector<int32_t> ids = from_gguf->Encode("Hello, world!", true);
  EXPECT_EQ(ids, (std::vector<int32_t>{101, 7592, 1010, 2088, 999, 102}));
  EXPECT_EQ(from_json->Encode("Hello, world!", true), ids);
  EXPECT_EQ(from_gguf->Decode(ids, /*skip_special=*/true), "hello, world!");
  EXPECT_EQ(from_json->Decode(ids), "[CLS] hello, world! [SEP]");
}

// A query and a passage as a cross-encoder (reranker) takes them: [CLS] query [SEP] passage
// [SEP], type id 0 up to the first [SEP] and 1 after (BERT's pair template). The ids are
// the vocabulary's entries for the lowercased words: what 2054, is 2003, a 1037, panda
// 25462, ? 1029, the 1996, giant 5016, bear 4562, . 1012; [CLS] 101, [SEP] 102.
TEST(BertBge, PairGivesBertTemplateAndTypeIds) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const Bge bge = LoadBge(fixtures);
  ASSERT_NE(bge.from_json, nullptr);
  ASSERT_NE(bge.from_gguf, nullptr);
  const std::vector<int32_t> ids = {101,  2054,  2003, 1037, 25462, 1029, 102, 1996,
                                    5016, 25462, 2003, 1037, 4562,  1012, 102};
  const std::vector<int32_t> types = {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
  for (const Tokenizer* t : {bge.from_json.get(), bge.from_gguf.get()}) {
    auto pair = t->EncodePair("What is a panda?", "The giant panda is a bear.", true);
    ASSERT_TRUE(pair.ok()) << pair.status().ToString();
    EXPECT_EQ(pair->ids, ids);
    EXPECT_EQ(pair->type_ids, types);
    auto bare = t->EncodePair("What is a panda?", "The giant panda is a bear.", false);
    ASSERT_TRUE(bare.ok()) << bare.status().ToString();
    // Without special tokens only the texts remain, with their type ids.
    EXPECT_EQ(bare->ids, (std::vector<int32_t>{2054, 2003, 1037, 25462, 1029, 1996, 5016, 25462,
                                               2003, 1037, 4562, 1012}));
    EXPECT_EQ(bare->type_ids, (std::vector<int32_t>{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1}));
  }
}

class TransformersTest : public ::testing::TestWithParam<const char*> {};

TEST_P(TransformersTest, TokenizeAndDecodeMatchReference) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const auto reference =
      nlohmann::json::parse(ReadFileOrFail(fixtures / "reference" / "transformers.json"));
  const std::string model = GetParam();
  auto tokenizer = LoadOrFail(fixtures / "models" / model);
  ASSERT_NE(tokenizer, nullptr);
  const auto& cases = reference.at(model).at("tokenize");
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    const std::string text = c.at("text");
    const auto ids = c.at("ids").get<std::vector<int32_t>>();
    EXPECT_EQ(tokenizer->Encode(text, false), ids) << "'" << text << "'";
    EXPECT_EQ(tokenizer->Encode(text, true), c.at("ids_with_special").get<std::vector<int32_t>>())
        << "'" << text << "'";
    EXPECT_EQ(tokenizer->Decode(ids), c.at("decode").get<std::string>()) << "'" << text << "'";
  }
  for (const auto& p : reference.at(model).at("prompts")) {
    const std::string prompt = p.at("prompt");
    EXPECT_EQ(tokenizer->Encode(prompt, true), p.at("input_ids").get<std::vector<int32_t>>())
        << "'" << prompt << "'";
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TransformersTest,
                         ::testing::Values("tiny-llama2", "tiny-llama3", "tiny-qwen2",
                                           "tiny-qwen3"));

// Blocks "=== FILE | PROMPT", the generated text, a blank line, then "[ids]".
TEST(LlamaCppReference, PromptIdsFromGgufVocabularies) {
  HFD_REQUIRE_FIXTURES(fixtures);
  std::istringstream in(ReadFileOrFail(fixtures / "reference" / "llama.cpp.txt"));
  std::string line, file, prompt;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.rfind("=== ", 0) == 0) {
      const size_t bar = line.find(" | ");
      ASSERT_NE(bar, std::string::npos) << line;
      file = line.substr(4, bar - 4);
      prompt = line.substr(bar + 3);
    } else if (!line.empty() && line[0] == '[') {
      const auto expected = nlohmann::json::parse(line).get<std::vector<int32_t>>();
      auto tokenizer = LoadOrFail(fixtures / "gguf" / file);
      ASSERT_NE(tokenizer, nullptr);
      EXPECT_EQ(tokenizer->Encode(prompt, true), expected) << file << " | " << prompt;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 6);
}

// The arch fixtures' 3072-piece vocabulary lacks most single characters: llama.cpp still
// merges from them ("O" + "n" -> "On"), where byte fallback alone gave 26 ids for 6.
TEST(LlamaCppReference, PromptIdsFromVocabularyWithoutSingleCharacters) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const std::filesystem::path dir = fixtures / "arch";
  const auto reference = nlohmann::json::parse(ReadFileOrFail(dir / "llama.cpp-logits.json"));
  int checked = 0;
  for (const auto& [file, prompts] : reference.items()) {
    if (file.find("-F32.gguf") == std::string::npos) continue;  // quantized: the same vocab
    auto tokenizer = LoadOrFail(dir / file);
    ASSERT_NE(tokenizer, nullptr);
    for (const auto& [prompt, entry] : prompts.items()) {
      EXPECT_EQ(tokenizer->Encode(prompt, true), entry.at("prompt_ids").get<std::vector<int32_t>>())
          << file << " | " << prompt;
      ++checked;
    }
  }
  EXPECT_GE(checked, 8);
}

// The same vocabulary on llama.cpp's SPM test strings (spaces, digits, non-Latin text),
// ids recorded by testdata/arch_vocab/make_reference.py.
TEST(LlamaCppReference, VocabStringsOnVocabularyWithoutSingleCharacters) {
  HFD_REQUIRE_FIXTURES(fixtures);
  ExpectVocabTestIds(fixtures / "arch" / "tiny-phi3-F32.gguf",
                     fixtures / "vocab" / "ggml-vocab-llama-spm.gguf.inp",
                     std::filesystem::path(HFD_ARCH_VOCAB_TESTDATA) / "tiny-phi3-F32.gguf.out");
}

// The GGUF and Hugging Face forms of the same tokenizer agree on the reference strings.
TEST(GgufVersusHf, SameIdsForSamePrompts) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const auto reference =
      nlohmann::json::parse(ReadFileOrFail(fixtures / "reference" / "transformers.json"));
  const std::pair<const char*, const char*> pairs[] = {{"tiny-llama3", "tiny-llama3-Q8_0.gguf"},
                                                       {"tiny-qwen2", "tiny-qwen2-Q8_0.gguf"}};
  for (const auto& [model, gguf] : pairs) {
    auto gguf_tokenizer = LoadOrFail(fixtures / "gguf" / gguf);
    ASSERT_NE(gguf_tokenizer, nullptr);
    for (const auto& p : reference.at(model).at("prompts")) {
      EXPECT_EQ(gguf_tokenizer->Encode(p.at("prompt").get<std::string>(), true),
                p.at("input_ids").get<std::vector<int32_t>>())
          << gguf;
    }
  }
}

// End-of-generation ids: the configs' EOS lists for HF directories; EOS plus llama.cpp's
// end-of-turn control tokens for GGUF files.
TEST(EndOfGeneration, IdsFromConfigsAndGgufControlTokens) {
  HFD_REQUIRE_FIXTURES(fixtures);
  using Ids = std::vector<int32_t>;
  const std::pair<const char*, Ids> cases[] = {
      {"models/tiny-llama2", {2}},
      {"models/tiny-llama3", {128001, 128008, 128009}},
      {"models/tiny-qwen2", {151645}},
      {"gguf/tiny-llama2-Q4_K_M.gguf", {2}},
      // 128008 is a reserved token in this vocabulary: only generation_config.json names it.
      {"gguf/tiny-llama3-Q8_0.gguf", {128001, 128009}},
      {"gguf/tiny-qwen2-Q8_0.gguf", {151643, 151645}},
  };
  for (const auto& [path, ids] : cases) {
    auto tokenizer = LoadOrFail(fixtures / path);
    ASSERT_NE(tokenizer, nullptr);
    EXPECT_EQ(tokenizer->eos_ids(), ids) << path;
  }
}

// Streaming the reference prompts' ids piece by piece gives the same text as Decode.
TEST(StreamDecode, MatchesWholeDecodeOnReferenceText) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const auto reference =
      nlohmann::json::parse(ReadFileOrFail(fixtures / "reference" / "transformers.json"));
  for (const char* model : {"tiny-llama3", "tiny-qwen2"}) {
    auto tokenizer = LoadOrFail(fixtures / "models" / model);
    ASSERT_NE(tokenizer, nullptr);
    for (const auto& c : reference.at(model).at("tokenize")) {
      const auto ids = c.at("ids").get<std::vector<int32_t>>();
      StreamDecoder stream(*tokenizer, /*skip_special=*/false);
      std::string text;
      for (int32_t id : ids) text += stream.Push(id);
      text += stream.Flush();
      EXPECT_EQ(text, c.at("decode").get<std::string>()) << model;
    }
  }
}

// Every tokenizer.ggml.pre name the reference llama.cpp build knows, applied to the GPT-2
// vocabulary, against llama-tokenize's ids for the same file (testdata/pre_names: the
// fixture's strings plus extra.inp, made by make_reference.py). Names the fixtures' own
// vocabularies carry are checked above; this checks the whole table's patterns and flags.
TEST(LlamaCppReference, EveryPreTokenizerNameOnTheGpt2Vocabulary) {
  HFD_REQUIRE_FIXTURES(fixtures);
  auto vocab = gguf::GgufFile::Open(fixtures / "vocab" / "ggml-vocab-gpt-2.gguf");
  ASSERT_TRUE(vocab.ok()) << vocab.status().ToString();
  const auto reference = nlohmann::json::parse(
      ReadFileOrFail(std::filesystem::path(HFD_PRE_NAMES_TESTDATA) / "reference.json"));
  const auto inputs = reference.at("inputs").get<std::vector<std::string>>();
  ASSERT_GT(inputs.size(), 40u);
  ASSERT_GT(reference.at("ids").size(), 35u);
  for (const auto& [name, expected] : reference.at("ids").items()) {
    gguf::GgufWriter writer;
    for (const gguf::MetadataEntry& e : (*vocab)->metadata()) {
      if (e.key != "tokenizer.ggml.pre") writer.AddCopy(e);
    }
    writer.AddString("tokenizer.ggml.pre", name);
    auto bytes = writer.Serialize();
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    auto file =
        gguf::GgufFile::Parse(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size());
    ASSERT_TRUE(file.ok()) << name << ": " << file.status().ToString();
    auto tokenizer = Tokenizer::FromGguf(**file);
    ASSERT_TRUE(tokenizer.ok()) << name << ": " << tokenizer.status().ToString();
    ASSERT_EQ(expected.size(), inputs.size()) << name;
    for (size_t i = 0; i < inputs.size(); ++i) {
      EXPECT_EQ((*tokenizer)->Encode(inputs[i], /*add_special=*/false),
                expected[i].get<std::vector<int32_t>>())
          << name << ", string #" << i << ": '" << inputs[i] << "'";
    }
  }
}

}  // namespace
}  // namespace hfd::tok
