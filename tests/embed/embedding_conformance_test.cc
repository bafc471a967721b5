// The tiny BERT embedding model (testdata/make_tiny_bert.sh) against llama.cpp's
// llama-embedding on the same file: every pooling within 1e-3 cosine, a batch computed in
// one call equal to its texts one by one, and the safetensors twin (BertModel names,
// config.json, sentence-transformers files) giving the GGUF's vectors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/model/sentence_transformers.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/cpu/model_harness.h"
#include "tests/embed/bert_twin.h"

namespace hfd::testing {
namespace {

const std::filesystem::path kData = HFD_EMBED_TESTDATA;

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    dot += double{a[i]} * b[i];
    na += double{a[i]} * a[i];
    nb += double{b[i]} * b[i];
  }
  return dot / std::sqrt(na * nb);
}

nlohmann::json Reference() {
  std::ifstream in(kData / "llama-embedding.json");
  return nlohmann::json::parse(in);
}

std::vector<std::vector<int32_t>> Encode(const std::filesystem::path& model,
                                         const std::vector<std::string>& texts) {
  auto tokenizer = tok::Tokenizer::FromPath(model);
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  std::vector<std::vector<int32_t>> ids;
  if (!tokenizer.ok()) return ids;
  for (const std::string& t : texts) ids.push_back((*tokenizer)->Encode(t, true));
  return ids;
}

std::vector<std::vector<float>> Embed(LoadedModel& m,
                                      const std::vector<std::vector<int32_t>>& ids) {
  auto session = m.NewSession(128, 16, runtime::KvType::kF32);
  auto vectors = session->Embed(ids, true);
  EXPECT_TRUE(vectors.ok()) << vectors.status().ToString();
  return vectors.ok() ? *vectors : std::vector<std::vector<float>>{};
}

TEST(EmbeddingConformanceTest, MeanPoolingMatchesLlamaEmbedding) {
  const nlohmann::json ref = Reference();
  const auto path = kData / "tiny-bert.gguf";
  LoadedModel m = LoadOnCpu(path);
  ASSERT_NE(m.files, nullptr);
  EXPECT_EQ(m.files->desc().pooling, model::Pooling::kMean);
  const auto texts = ref["texts"].get<std::vector<std::string>>();
  const auto vectors = Embed(m, Encode(path, texts));
  const auto expected = ref["embeddings"]["mean"].get<std::vector<std::vector<float>>>();
  ASSERT_EQ(vectors.size(), expected.size());
  for (size_t i = 0; i < vectors.size(); ++i) {
    SCOPED_TRACE(texts[i]);
    EXPECT_GT(Cosine(vectors[i], expected[i]), 1 - 1e-3);
    double norm = 0;
    for (float v : vectors[i]) norm += double{v} * v;
    EXPECT_NEAR(norm, 1.0, 1e-5);
  }
}

TEST(EmbeddingConformanceTest, ClsAndLastPoolingMatchLlamaEmbedding) {
  const nlohmann::json ref = Reference();
  const auto texts = ref["texts"].get<std::vector<std::string>>();
  for (const auto& [name, pooling] :
       {std::pair{"cls", model::Pooling::kCls}, std::pair{"last", model::Pooling::kLast}}) {
    SCOPED_TRACE(name);
    const std::filesystem::path dir = ::testing::TempDir() + "/bert-" + std::string(name);
    ASSERT_TRUE(WriteBertTwin(kData / "tiny-bert.gguf", dir, pooling).ok());
    LoadedModel m = LoadOnCpu(dir);
    ASSERT_NE(m.files, nullptr);
    EXPECT_EQ(m.files->desc().pooling, pooling);
    const auto vectors = Embed(m, Encode(kData / "tiny-bert.gguf", texts));
    const auto expected = ref["embeddings"][name].get<std::vector<std::vector<float>>>();
    ASSERT_EQ(vectors.size(), expected.size());
    for (size_t i = 0; i < vectors.size(); ++i) {
      EXPECT_GT(Cosine(vectors[i], expected[i]), 1 - 1e-3) << texts[i];
    }
  }
}

TEST(EmbeddingConformanceTest, SafetensorsTwinGivesTheGgufVectors) {
  const auto gguf = kData / "tiny-bert.gguf";
  const std::filesystem::path dir = ::testing::TempDir() + "/bert-mean";
  ASSERT_TRUE(WriteBertTwin(gguf, dir, model::Pooling::kMean).ok());
  const std::vector<std::string> texts = {"hello world", "safetensors twin"};
  LoadedModel a = LoadOnCpu(gguf);
  LoadedModel b = LoadOnCpu(dir);
  ASSERT_NE(a.files, nullptr);
  ASSERT_NE(b.files, nullptr);
  const auto va = Embed(a, Encode(gguf, texts));
  const auto vb = Embed(b, Encode(gguf, texts));
  ASSERT_EQ(va.size(), vb.size());
  for (size_t i = 0; i < va.size(); ++i) EXPECT_GT(Cosine(va[i], vb[i]), 1 - 1e-6);
}

TEST(EmbeddingConformanceTest, BatchOf32EqualsOneByOne) {
  const auto path = kData / "tiny-bert.gguf";
  LoadedModel m = LoadOnCpu(path);
  ASSERT_NE(m.files, nullptr);
  std::vector<std::string> texts;
  for (int i = 0; i < 32; ++i) {
    texts.push_back("text number " + std::to_string(i) + std::string(i % 5, '!') + " about " +
                    std::to_string(i * 7919));
  }
  const auto ids = Encode(path, texts);
  const auto together = Embed(m, ids);
  ASSERT_EQ(together.size(), 32u);
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto alone = Embed(m, {ids[i]});
    ASSERT_EQ(alone.size(), 1u);
    ASSERT_EQ(alone[0].size(), together[i].size());
    for (size_t j = 0; j < alone[0].size(); ++j) EXPECT_NEAR(alone[0][j], together[i][j], 1e-5);
  }
}

TEST(EmbeddingConformanceTest, RefusesTextsItCannotEmbed) {
  LoadedModel m = LoadOnCpu(kData / "tiny-bert.gguf");
  ASSERT_NE(m.files, nullptr);
  auto session = m.NewSession(128, 16);
  auto empty = session->Embed(std::vector<std::vector<int32_t>>{{}}, true);
  EXPECT_EQ(empty.status().code(), ErrorCode::kInvalidArgument);
  auto too_long =
      session->Embed(std::vector<std::vector<int32_t>>{std::vector<int32_t>(129, 5)}, true);
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.status().message().find("longer than the context of 128"), std::string::npos)
      << too_long.status().ToString();
}

TEST(EmbeddingConformanceTest, PoolingConfigsHfdCannotRunNameTheKey) {
  auto max = model::ParsePoolingConfig(R"({"pooling_mode_max_tokens": true})", "P");
  ASSERT_FALSE(max.ok());
  EXPECT_EQ(max.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(max.status().message().find("pooling_mode_max_tokens"), std::string::npos);
  auto two = model::ParsePoolingConfig(
      R"({"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": true})", "P");
  EXPECT_FALSE(two.ok());
  auto none = model::ParsePoolingConfig(R"({"pooling_mode_cls_token": false})", "P");
  EXPECT_FALSE(none.ok());
  auto cls = model::ParsePoolingConfig(R"({"pooling_mode_cls_token": true})", "P");
  ASSERT_TRUE(cls.ok());
  EXPECT_EQ(*cls, model::Pooling::kCls);
}

}  // namespace
}  // namespace hfd::testing
