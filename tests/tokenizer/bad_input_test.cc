// Malformed or unsupported tokenizer files give clear errors, never crashes.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/tokenizer/tokenizer.h"
#include "tests/support/fixtures.h"
#include "tests/tokenizer/tiny_tokenizers.h"

namespace hfd::tok {
namespace {

using json = nlohmann::json;

// Expects loading to fail with `code` and a message containing `needle`.
void ExpectError(const Result<std::unique_ptr<Tokenizer>>& r, ErrorCode code,
                 const std::string& needle) {
  ASSERT_FALSE(r.ok()) << "loaded, but expected an error mentioning '" << needle << "'";
  EXPECT_EQ(r.status().code(), code) << r.status().ToString();
  EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().ToString();
}

json TinyDoc() { return json::parse(testing::TinyByteLevelJson()); }

TEST(BadTokenizerJson, SyntaxErrorsAndWrongShapes) {
  ExpectError(Tokenizer::FromJson("{\"model\": ", "", ""), ErrorCode::kCorrupt, "invalid JSON");
  ExpectError(Tokenizer::FromJson("[1, 2]", "", ""), ErrorCode::kCorrupt, "not a JSON object");
  ExpectError(Tokenizer::FromJson("{}", "", ""), ErrorCode::kCorrupt, "'model' object");
  ExpectError(Tokenizer::FromJson(R"({"model": {"type": "BPE", "vocab": {"a": {}}}})", "", ""),
              ErrorCode::kCorrupt, "model.vocab");
  ExpectError(Tokenizer::FromJson(R"({"model": {"type": "BPE", "vocab": {}}})", "", ""),
              ErrorCode::kCorrupt, "model.vocab is missing or empty");
  ExpectError(Tokenizer::FromJson(std::string(300, '[') + std::string(300, ']'), "", ""),
              ErrorCode::kCorrupt, "nested deeper");
}

TEST(BadTokenizerJson, UnsupportedModelsAndSteps) {
  json doc = TinyDoc();
  doc["model"]["type"] = "Mystery";
  ExpectError(Tokenizer::FromJson(doc.dump(), "", ""), ErrorCode::kUnsupported, "Mystery");

  doc = TinyDoc();
  doc["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", "[\\w+"}}}};
  ExpectError(Tokenizer::FromJson(doc.dump(), "", ""), ErrorCode::kInvalidArgument,
              "'[\\w+' does not compile");

  doc = TinyDoc();
  doc["pre_tokenizer"] = {
      {"type", "Split"}, {"pattern", {{"Regex", "\\w+"}}}, {"behavior", "Sideways"}};
  ExpectError(Tokenizer::FromJson(doc.dump(), "", ""), ErrorCode::kUnsupported, "Sideways");

  doc = TinyDoc();
  doc["pre_tokenizer"] = {{"type", "FixedLength"}, {"length", 5}};
  ExpectError(Tokenizer::FromJson(doc.dump(), "", ""), ErrorCode::kUnsupported, "FixedLength");

  doc = TinyDoc();
  doc["normalizer"] = {{"type", "ByteLevel"}};
  ExpectError(Tokenizer::FromJson(doc.dump(), "", ""), ErrorCode::kUnsupported, "ByteLevel");

  doc = TinyDoc();
  doc["pre_tokenizer"] = nullptr;
  doc["decoder"] = nullptr;
  ExpectError(Tokenizer::FromJson(doc.dump(), "", ""), ErrorCode::kUnsupported, "cannot tell");
}

TEST(BadTokenizerJson, DanglingReferences) {
  json doc = TinyDoc();
  doc["model"]["merges"] = {"a zz"};
  ExpectError(Tokenizer::FromJson(doc.dump(), "", ""), ErrorCode::kCorrupt, "merge #0 'a zz'");

  doc = TinyDoc();
  doc["model"]["merges"] = {"nospace"};
  ExpectError(Tokenizer::FromJson(doc.dump(), "", ""), ErrorCode::kCorrupt, "nospace");

  doc = TinyDoc();
  doc["model"]["vocab"]["neg"] = -4;
  ExpectError(Tokenizer::FromJson(doc.dump(), "", ""), ErrorCode::kCorrupt, "invalid id -4");

  doc = TinyDoc();
  doc["added_tokens"] = {{{"content", "<x>"}}};
  ExpectError(Tokenizer::FromJson(doc.dump(), "", ""), ErrorCode::kCorrupt, "no integer id");

  doc = TinyDoc();
  doc["post_processor"]["single"][0]["SpecialToken"]["id"] = "<missing>";
  ExpectError(Tokenizer::FromJson(doc.dump(), "", ""), ErrorCode::kCorrupt, "<missing>");
}

TEST(BadTokenizerJson, ConfigFiles) {
  const std::string doc = testing::TinyByteLevelJson();
  ExpectError(Tokenizer::FromJson(doc, R"({"bos_token": "<nope>"})", ""), ErrorCode::kCorrupt,
              "tokenizer_config.json: bos_token '<nope>'");
  ExpectError(Tokenizer::FromJson(doc, "{oops", ""), ErrorCode::kCorrupt,
              "tokenizer_config.json: invalid JSON");
  ExpectError(Tokenizer::FromJson(doc, "", R"({"eos_token_id": "x"})"), ErrorCode::kCorrupt,
              "generation_config.json: eos_token_id");
  ExpectError(Tokenizer::FromJson(doc, "", R"({"eos_token_id": [1, -2]})"), ErrorCode::kCorrupt,
              "eos_token_id");
  ExpectError(Tokenizer::FromJson(doc, "", R"({"eos_token_id": 100000})"), ErrorCode::kCorrupt,
              "end-of-generation id 100000");
}

TEST(BadPaths, MissingFilesAndUnknownKinds) {
  hfd::testing::TempDir dir;
  ExpectError(Tokenizer::FromHfDir(dir.path()), ErrorCode::kNotFound, "no tokenizer.json");
  ExpectError(Tokenizer::FromPath(dir.path() / "model.bin"), ErrorCode::kInvalidArgument,
              "neither a .gguf file");
  std::ofstream(dir.path() / "tokenizer.json") << "{\"model\": 3}";
  ExpectError(Tokenizer::FromPath(dir.path()), ErrorCode::kCorrupt, dir.path().string());
}

// A minimal GGUF v3 writer: metadata only, no tensors.
class GgufWriter {
 public:
  void String(const std::string& key, const std::string& value) {
    Key(key, 8);
    Str(value);
  }
  void U32(const std::string& key, uint32_t value) {
    Key(key, 4);
    Raw(value);
  }
  void StringArray(const std::string& key, const std::vector<std::string>& values) {
    Key(key, 9);
    Raw(uint32_t{8});
    Raw(uint64_t{values.size()});
    for (const auto& v : values) Str(v);
  }
  void F32Array(const std::string& key, const std::vector<float>& values) {
    Key(key, 9);
    Raw(uint32_t{6});
    Raw(uint64_t{values.size()});
    for (float v : values) Raw(v);
  }
  void I32Array(const std::string& key, const std::vector<int32_t>& values) {
    Key(key, 9);
    Raw(uint32_t{5});
    Raw(uint64_t{values.size()});
    for (int32_t v : values) Raw(v);
  }
  std::filesystem::path Write(const std::filesystem::path& dir) const {
    std::string out = "GGUF";
    auto append = [&out](auto v) { out.append(reinterpret_cast<const char*>(&v), sizeof(v)); };
    append(uint32_t{3});
    append(uint64_t{0});
    append(count_);
    out += body_;
    out.append((32 - out.size() % 32) % 32, '\0');
    const auto path = dir / "vocab.gguf";
    std::ofstream(path, std::ios::binary) << out;
    return path;
  }

 private:
  template <typename T>
  void Raw(T v) {
    body_.append(reinterpret_cast<const char*>(&v), sizeof(v));
  }
  void Str(const std::string& s) {
    Raw(uint64_t{s.size()});
    body_ += s;
  }
  void Key(const std::string& key, uint32_t type) {
    Str(key);
    Raw(type);
    ++count_;
  }
  std::string body_;
  uint64_t count_ = 0;
};

// A valid SentencePiece vocabulary: <unk> <s> </s> ▁ h i ▁h ▁hi.
GgufWriter SpmVocab(std::vector<float> scores, std::vector<int32_t> types) {
  GgufWriter w;
  w.String("tokenizer.ggml.model", "llama");
  w.StringArray("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "\xE2\x96\x81", "h", "i",
                                          "\xE2\x96\x81h", "\xE2\x96\x81hi"});
  w.F32Array("tokenizer.ggml.scores", scores);
  w.I32Array("tokenizer.ggml.token_type", types);
  w.U32("tokenizer.ggml.bos_token_id", 1);
  w.U32("tokenizer.ggml.eos_token_id", 2);
  return w;
}

TEST(Gguf, VocabOnlyFileLoads) {
  hfd::testing::TempDir dir;
  const auto path =
      SpmVocab({0, 0, 0, -1, -2, -3, -1.5f, -1}, {2, 3, 3, 1, 1, 1, 1, 1}).Write(dir.path());
  auto t = Tokenizer::FromPath(path);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)->Encode("hi", true), (std::vector<int32_t>{1, 7}));
  EXPECT_EQ((*t)->eos_ids(), (std::vector<int32_t>{2}));
  EXPECT_EQ((*t)->Decode(std::vector<int32_t>{7, 7}), "hi hi");
}

// As in llama.cpp, characters outside the vocabulary ("▁", "h") still merge into tokens
// ("▁h"); one left over falls back to its byte token.
TEST(Gguf, MergesFromCharactersOutsideTheVocabulary) {
  hfd::testing::TempDir dir;
  GgufWriter w;
  w.String("tokenizer.ggml.model", "llama");
  w.StringArray("tokenizer.ggml.tokens",
                {"<unk>", "<s>", "</s>", "\xE2\x96\x81h", "\xE2\x96\x81hi", "i", "<0x68>"});
  w.F32Array("tokenizer.ggml.scores", {0, 0, 0, -1, -1, -2, 0});
  w.I32Array("tokenizer.ggml.token_type", {2, 3, 3, 1, 1, 1, 6});
  w.U32("tokenizer.ggml.bos_token_id", 1);
  w.U32("tokenizer.ggml.eos_token_id", 2);
  auto t = Tokenizer::FromPath(w.Write(dir.path()));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)->Encode("hi", true), (std::vector<int32_t>{1, 4}));
  EXPECT_EQ((*t)->Encode("hh", true), (std::vector<int32_t>{1, 3, 6}));
  EXPECT_EQ((*t)->Decode(std::vector<int32_t>{3, 6}), "hh");
}

TEST(Gguf, InconsistentArraysAndBadValues) {
  hfd::testing::TempDir dir;
  ExpectError(Tokenizer::FromPath(SpmVocab({0, 0}, {2, 3, 3, 1, 1, 1, 1, 1}).Write(dir.path())),
              ErrorCode::kCorrupt, "tokenizer.ggml.scores has 2 entries but");
  ExpectError(Tokenizer::FromPath(SpmVocab({0, 0, 0, 0, 0, 0, 0, 0}, {1}).Write(dir.path())),
              ErrorCode::kCorrupt, "tokenizer.ggml.token_type has 1 entries");

  GgufWriter w = SpmVocab({0, 0, 0, 0, 0, 0, 0, 0}, {2, 3, 3, 1, 1, 1, 1, 1});
  w.U32("tokenizer.ggml.unknown_token_id", 999);
  ExpectError(Tokenizer::FromPath(w.Write(dir.path())), ErrorCode::kCorrupt,
              "unknown-token id 999");

  GgufWriter bert;
  bert.String("tokenizer.ggml.model", "bert");
  bert.StringArray("tokenizer.ggml.tokens", {"a"});
  ExpectError(Tokenizer::FromPath(bert.Write(dir.path())), ErrorCode::kCorrupt, "unknown token");

  GgufWriter pre;
  pre.String("tokenizer.ggml.model", "gpt2");
  pre.String("tokenizer.ggml.pre", "made-up");
  pre.StringArray("tokenizer.ggml.tokens", {"a"});
  pre.StringArray("tokenizer.ggml.merges", {});
  ExpectError(Tokenizer::FromPath(pre.Write(dir.path())), ErrorCode::kUnsupported, "made-up");

  GgufWriter merges;
  merges.String("tokenizer.ggml.model", "gpt2");
  merges.String("tokenizer.ggml.pre", "gpt-2");
  merges.StringArray("tokenizer.ggml.tokens", {"a", "b"});
  merges.StringArray("tokenizer.ggml.merges", {"a b"});
  ExpectError(Tokenizer::FromPath(merges.Write(dir.path())), ErrorCode::kCorrupt, "merge #0");

  GgufWriter no_tokens;
  no_tokens.String("tokenizer.ggml.model", "gpt2");
  EXPECT_FALSE(Tokenizer::FromPath(no_tokens.Write(dir.path())).ok());
}

}  // namespace
}  // namespace hfd::tok
