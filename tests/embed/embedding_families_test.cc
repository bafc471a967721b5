// Embedding families beyond BERT: the tiny nomic-bert (testdata/make_tiny_bert.sh) and
// decoder embedders (last-token pooling over a causal decoder, as Qwen3-Embedding) against
// llama.cpp's llama-embedding on the same files, nomic-bert's safetensors twin against its
// GGUF, and batches computed in one call equal to their texts one by one.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "engine/quant/dequantize.h"
#include "tests/embed/bert_twin.h"
#include "tests/embed/embed_harness.h"
#include "tests/support/fixtures.h"

namespace hfd::testing {
namespace {

const std::filesystem::path kData = HFD_EMBED_TESTDATA;

// The reference's vectors for `pooling` against hfd's for the model at `path`.
void ExpectReferenceVectors(const std::filesystem::path& path, const nlohmann::json& ref,
                            const std::string& pooling) {
  LoadedModel m = LoadOnCpu(path);
  ASSERT_NE(m.files, nullptr);
  const auto texts = ref["texts"].get<std::vector<std::string>>();
  const auto vectors = Embed(m, Encode(path, texts));
  const auto expected = ref["embeddings"][pooling].get<std::vector<std::vector<float>>>();
  ASSERT_EQ(vectors.size(), expected.size());
  for (size_t i = 0; i < vectors.size(); ++i) {
    EXPECT_GT(Cosine(vectors[i], expected[i]), 1 - 1e-3) << texts[i];
  }
}

TEST(NomicBertTest, EveryPoolingMatchesLlamaEmbedding) {
  const nlohmann::json ref = ReadReference(kData / "llama-embedding-nomic-bert.json");
  const auto gguf = kData / "tiny-nomic-bert.gguf";
  TempDir dir;
  for (const auto& [name, pooling] :
       {std::pair{"mean", model::Pooling::kMean}, std::pair{"cls", model::Pooling::kCls},
        std::pair{"last", model::Pooling::kLast}}) {
    SCOPED_TRACE(name);
    // The file pools by mean; copies of it pool the other ways.
    const auto path = pooling == model::Pooling::kMean
                          ? gguf
                          : dir.path() / (std::string("nomic-") + name + ".gguf");
    if (path != gguf) {
      ASSERT_TRUE(CopyGgufWithPooling(gguf, path, pooling).ok());
    }
    ExpectReferenceVectors(path, ref, name);
  }
}

// The NomicBertModel checkpoint the GGUF stands for (config.json with NomicBertConfig's
// keys, Wqkv / fc11 / fc12 / norm1 / emb_ln names, sentence-transformers mean pooling)
// gives the GGUF's vectors, and with them llama-embedding's.
TEST(NomicBertTest, SafetensorsTwinGivesTheGgufVectors) {
  const auto gguf = kData / "tiny-nomic-bert.gguf";
  TempDir dir;
  const Status written = WriteBertTwin(gguf, dir.path(), model::Pooling::kMean);
  ASSERT_TRUE(written.ok()) << written.ToString();
  const nlohmann::json ref = ReadReference(kData / "llama-embedding-nomic-bert.json");
  const auto texts = ref["texts"].get<std::vector<std::string>>();
  LoadedModel a = LoadOnCpu(gguf);
  LoadedModel b = LoadOnCpu(dir.path());
  ASSERT_NE(a.files, nullptr);
  ASSERT_NE(b.files, nullptr);
  EXPECT_EQ(b.files->format(), model::ModelFormat::kSafetensors);
  EXPECT_EQ(b.files->desc().arch, model::Architecture::kNomicBert);
  EXPECT_EQ(b.files->desc().pooling, model::Pooling::kMean);
  const auto ids = Encode(gguf, texts);
  const auto va = Embed(a, ids);
  const auto vb = Embed(b, ids);
  const auto expected = ref["embeddings"]["mean"].get<std::vector<std::vector<float>>>();
  ASSERT_EQ(va.size(), texts.size());
  ASSERT_EQ(vb.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_GT(Cosine(va[i], vb[i]), 1 - 1e-6) << texts[i];
    EXPECT_GT(Cosine(vb[i], expected[i]), 1 - 1e-3) << texts[i];
  }
}

TEST(NomicBertTest, BatchOf32EqualsOneByOne) {
  ExpectBatchOf32EqualsOneByOne(kData / "tiny-nomic-bert.gguf");
}

// llama.cpp's tiny Qwen2 (a decoder) made an embedder by <arch>.pooling_type = 3 (last).
std::filesystem::path Qwen2Embedder(const std::filesystem::path& fixtures, const TempDir& dir) {
  const auto path = dir.path() / "tiny-qwen2-last.gguf";
  const Status s =
      CopyGgufWithPooling(fixtures / "gguf/tiny-qwen2-Q8_0.gguf", path, model::Pooling::kLast);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return path;
}

TEST(DecoderEmbeddingTest, Qwen2LastTokenMatchesLlamaEmbedding) {
  HFD_REQUIRE_FIXTURES(fixtures);
  TempDir dir;
  const auto path = Qwen2Embedder(fixtures, dir);
  {
    LoadedModel m = LoadOnCpu(path);
    ASSERT_NE(m.files, nullptr);
    EXPECT_EQ(m.files->desc().pooling, model::Pooling::kLast);
    EXPECT_TRUE(m.files->desc().causal);
  }
  ExpectReferenceVectors(path, ReadReference(kData / "llama-embedding-qwen2-last.json"), "last");
}

TEST(DecoderEmbeddingTest, Qwen2BatchOf32EqualsOneByOne) {
  HFD_REQUIRE_FIXTURES(fixtures);
  TempDir dir;
  ExpectBatchOf32EqualsOneByOne(Qwen2Embedder(fixtures, dir));
}

// llama.cpp's reference build has no qwen3, but hfd's Qwen3 forward pass is checked
// against transformers' logits (tests/cpu). The output head is linear, so the decode
// path's last logits are W · h for the last token's final-norm state h, and the embedding
// e = h / |h| must give W · e proportional to them: with W of full column rank (151936 ×
// 64) that pins e down, so this checks the per-text RoPE positions, the per-text causal
// attention and the pooling of the embedding graph against the conformance-tested path.
TEST(DecoderEmbeddingTest, Qwen3LastTokenIsTheDecodePathsFinalState) {
  HFD_REQUIRE_FIXTURES(fixtures);
  TempDir dir;
  // tiny-qwen3's tokenizer.json names tiny-qwen2's, the same file (fixtures README).
  for (const char* file : {"tiny-qwen3/config.json", "tiny-qwen3/generation_config.json",
                           "tiny-qwen3/model.safetensors", "tiny-qwen3/tokenizer_config.json",
                           "tiny-qwen2/tokenizer.json"}) {
    const std::filesystem::path from = fixtures / "models" / file;
    std::filesystem::create_symlink(from, dir.path() / from.filename());
  }
  ASSERT_TRUE(WriteSentenceTransformersFiles(dir.path(), 64, model::Pooling::kLast).ok());
  LoadedModel m = LoadOnCpu(dir.path());
  ASSERT_NE(m.files, nullptr);
  const model::ModelDesc& d = m.files->desc();
  ASSERT_EQ(d.pooling, model::Pooling::kLast);
  ASSERT_TRUE(d.tied_embeddings);
  auto head = m.files->Weight("token_embd.weight");
  ASSERT_TRUE(head.ok());
  const std::vector<std::string> texts = {"The capital of France is", "hello",
                                          "Embeddings let local apps search and retrieve."};
  const auto ids = Encode(dir.path(), texts);
  // Two texts in one call, then one: positions and attention restart for each text.
  const auto vectors = Embed(m, ids);
  ASSERT_EQ(vectors.size(), texts.size());
  std::vector<float> row(static_cast<size_t>(d.n_embd));
  for (size_t i = 0; i < texts.size(); ++i) {
    SCOPED_TRACE(texts[i]);
    auto session = m.NewSession(128, 16, runtime::KvType::kF32);
    auto logits = session->Feed(ids[i]);
    ASSERT_TRUE(logits.ok()) << logits.status().ToString();
    std::vector<float> projected(static_cast<size_t>(d.n_vocab));
    const int64_t row_bytes = RowBytes(head->type, d.n_embd);
    for (int64_t v = 0; v < d.n_vocab; ++v) {
      ASSERT_TRUE(DequantizeRow(head->type, head->data + v * row_bytes, row.data(), d.n_embd).ok());
      double dot = 0;
      for (int64_t j = 0; j < d.n_embd; ++j) dot += double{row[j]} * vectors[i][j];
      projected[v] = static_cast<float>(dot);
    }
    const std::vector<float> decoded(logits->begin(), logits->end());
    EXPECT_GT(Cosine(projected, decoded), 1 - 1e-4);
  }
}

}  // namespace
}  // namespace hfd::testing
