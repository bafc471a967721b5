// The tiny BERT embedding model (testdata/make_tiny_bert.sh) against llama.cpp's
// llama-embedding on the same file: every pooling within 1e-3 cosine, a batch computed in
// one call equal to its texts one by one, and the safetensors twin (BertModel names,
// config.json, sentence-transformers files) giving the GGUF's vectors.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/model/sentence_transformers.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/cpu/model_harness.h"
#include "tests/embed/bert_twin.h"
#include "tests/embed/embed_harness.h"

namespace hfd::testing {
namespace {

const std::filesystem::path kData = HFD_EMBED_TESTDATA;

nlohmann::json Reference() { return ReadReference(kData / "llama-embedding.json"); }

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
  ExpectBatchOf32EqualsOneByOne(kData / "tiny-bert.gguf");
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
