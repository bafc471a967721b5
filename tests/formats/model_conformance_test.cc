// The fixture models open from both formats, describe themselves as expected, and the
// quantized GGUF weights agree with the BF16 safetensors they were converted from.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/model/model_files.h"
#include "tests/formats/weight_util.h"
#include "tests/support/fixtures.h"

namespace hfd::model {
namespace {

using testing::RelativeRms;
using testing::ToF32;

std::unique_ptr<ModelFiles> OpenOrFail(const std::filesystem::path& path) {
  auto files = OpenModelFiles(path);
  EXPECT_TRUE(files.ok()) << path << ": " << files.status().ToString();
  return files.ok() ? std::move(files).value() : nullptr;
}

struct Expected {
  const char* hf_dir;
  const char* gguf;  // nullptr when there is no GGUF conversion
  Architecture arch;
  int64_t n_vocab, n_embd, n_layer, n_head, n_head_kv, head_dim, n_ff, n_ctx;
  float theta, eps;
  bool tied, bias, qk_norm;
  int32_t bos;
  std::vector<int32_t> hf_eos;
};

const Expected kModels[] = {
    {"tiny-llama2",
     "tiny-llama2-Q4_K_M.gguf",
     Architecture::kLlama,
     32000,
     256,
     2,
     4,
     2,
     64,
     512,
     2048,
     1e4f,
     1e-5f,
     false,
     false,
     false,
     1,
     {2}},
    {"tiny-llama3",
     "tiny-llama3-Q8_0.gguf",
     Architecture::kLlama,
     128256,
     64,
     2,
     4,
     2,
     16,
     192,
     131072,
     5e5f,
     1e-5f,
     true,
     false,
     false,
     128000,
     {128001, 128008, 128009}},
    {"tiny-qwen2",
     "tiny-qwen2-Q8_0.gguf",
     Architecture::kQwen2,
     151936,
     64,
     2,
     4,
     2,
     16,
     160,
     32768,
     1e6f,
     1e-6f,
     true,
     true,
     false,
     151643,
     {151645}},
    {"tiny-qwen3",
     nullptr,
     Architecture::kQwen3,
     151936,
     64,
     2,
     4,
     2,
     32,
     160,
     40960,
     1e6f,
     1e-6f,
     true,
     false,
     true,
     151643,
     {151645}},
};

void ExpectDesc(const ModelDesc& d, const Expected& e) {
  EXPECT_EQ(d.arch, e.arch);
  EXPECT_EQ(d.n_vocab, e.n_vocab);
  EXPECT_EQ(d.n_embd, e.n_embd);
  EXPECT_EQ(d.n_layer, e.n_layer);
  EXPECT_EQ(d.n_head, e.n_head);
  EXPECT_EQ(d.n_head_kv, e.n_head_kv);
  EXPECT_EQ(d.head_dim, e.head_dim);
  EXPECT_EQ(d.n_ff, e.n_ff);
  EXPECT_EQ(d.n_ctx_train, e.n_ctx);
  EXPECT_FLOAT_EQ(d.rope_theta, e.theta);
  EXPECT_FLOAT_EQ(d.rms_eps, e.eps);
  EXPECT_EQ(d.tied_embeddings, e.tied);
  EXPECT_EQ(d.qkv_bias, e.bias);
  EXPECT_EQ(d.qk_norm, e.qk_norm);
  EXPECT_EQ(d.bos_id, e.bos);
  EXPECT_EQ(d.sliding_window, 0);
}

TEST(ModelConformanceTest, SafetensorsModelsOpenAndDescribeThemselves) {
  HFD_REQUIRE_FIXTURES(fixtures);
  for (const Expected& e : kModels) {
    SCOPED_TRACE(e.hf_dir);
    auto files = OpenOrFail(fixtures / "models" / e.hf_dir);
    ASSERT_NE(files, nullptr);
    EXPECT_EQ(files->format(), ModelFormat::kSafetensors);
    ExpectDesc(files->desc(), e);
    EXPECT_EQ(files->desc().rope_layout, RopeLayout::kHalfSplit);
    EXPECT_EQ(files->desc().eos_ids, e.hf_eos);
    auto q = files->Weight("blk.1.attn_q.weight");
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    EXPECT_EQ(q->type, TensorType::kBF16);
    EXPECT_EQ(q->shape, (std::vector<int64_t>{e.n_embd, e.n_head * e.head_dim}));
    EXPECT_EQ(files->HasWeight("output.weight"), !e.tied);
    EXPECT_EQ(files->Weight("blk.2.attn_q.weight").status().code(), ErrorCode::kNotFound);
  }
}

TEST(ModelConformanceTest, GgufModelsOpenAndDescribeThemselves) {
  HFD_REQUIRE_FIXTURES(fixtures);
  for (const Expected& e : kModels) {
    if (e.gguf == nullptr) continue;
    SCOPED_TRACE(e.gguf);
    auto files = OpenOrFail(fixtures / "gguf" / e.gguf);
    ASSERT_NE(files, nullptr);
    EXPECT_EQ(files->format(), ModelFormat::kGguf);
    ASSERT_NE(files->gguf(), nullptr);
    ExpectDesc(files->desc(), e);
    EXPECT_EQ(files->desc().rope_layout,
              e.arch == Architecture::kLlama ? RopeLayout::kInterleaved : RopeLayout::kHalfSplit);
    ASSERT_FALSE(files->desc().eos_ids.empty());
  }
}

// fixtures/arch/MODELS.txt: hidden 128, 26 layers, 4 heads / 2 KV heads of 64, window 8,
// soft-caps 10 and 15.
TEST(ModelConformanceTest, Gemma2GgufDescribesItself) {
  HFD_REQUIRE_FIXTURES(fixtures);
  auto files = OpenOrFail(fixtures / "arch" / "tiny-gemma2-Q8_0.gguf");
  ASSERT_NE(files, nullptr);
  const ModelDesc& d = files->desc();
  EXPECT_EQ(d.arch, Architecture::kGemma2);
  EXPECT_EQ(d.n_embd, 128);
  EXPECT_EQ(d.n_layer, 26);
  EXPECT_EQ(d.n_head, 4);
  EXPECT_EQ(d.n_head_kv, 2);
  EXPECT_EQ(d.head_dim, 64);
  EXPECT_EQ(d.n_vocab, 3072);
  EXPECT_EQ(d.rope_layout, RopeLayout::kHalfSplit);
  EXPECT_TRUE(d.tied_embeddings);
  EXPECT_TRUE(d.scale_embeddings);
  EXPECT_TRUE(d.post_norms);
  EXPECT_EQ(d.ffn_activation, FfnActivation::kGeluTanh);
  EXPECT_FLOAT_EQ(d.attn_softcap, 10.0f);
  EXPECT_FLOAT_EQ(d.final_softcap, 15.0f);
  EXPECT_EQ(d.query_pre_attn_scalar, 0);  // head_dim, as llama.cpp for 26 layers
  EXPECT_EQ(d.sliding_window, 8);
  EXPECT_TRUE(UsesSlidingWindow(d, 0));
  EXPECT_FALSE(UsesSlidingWindow(d, 1));
  EXPECT_TRUE(UsesSlidingWindow(d, 24));
  EXPECT_FALSE(UsesSlidingWindow(d, 25));
  EXPECT_TRUE(files->HasWeight("blk.25.post_ffw_norm.weight"));
}

TEST(ModelConformanceTest, Llama3RopeFactorsAgreeBetweenFormats) {
  HFD_REQUIRE_FIXTURES(fixtures);
  auto hf = OpenOrFail(fixtures / "models" / "tiny-llama3");
  auto gg = OpenOrFail(fixtures / "gguf" / "tiny-llama3-Q8_0.gguf");
  ASSERT_TRUE(hf && gg);
  EXPECT_EQ(hf->desc().rope_scaling.type, RopeScalingType::kLlama3);
  EXPECT_EQ(hf->desc().rope_scaling.original_max_position, 8192);
  EXPECT_EQ(gg->desc().rope_scaling.type, RopeScalingType::kLlama3);
  const auto& a = hf->desc().rope_freq_factors;
  const auto& b = gg->desc().rope_freq_factors;
  ASSERT_EQ(a.size(), 8u);
  ASSERT_EQ(b.size(), 8u);
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-4 * b[i]) << i;
  EXPECT_TRUE(OpenOrFail(fixtures / "models" / "tiny-llama2")->desc().rope_freq_factors.empty());
}

// llama.cpp's converter reorders the rows of each llama Q/K head from half-split to
// interleaved pairs: GGUF row (h, i, j) holds HF row (h, j, i) for i < head_dim/2, j < 2.
std::vector<float> UnpermuteRows(const std::vector<float>& w, int64_t row_len, int64_t head_dim) {
  std::vector<float> out(w.size());
  const int64_t rows = static_cast<int64_t>(w.size()) / row_len;
  for (int64_t g = 0; g < rows; ++g) {
    const int64_t h = g / head_dim, i = (g % head_dim) / 2, j = g % 2;
    const int64_t hf = h * head_dim + j * (head_dim / 2) + i;
    std::copy_n(w.begin() + g * row_len, row_len, out.begin() + hf * row_len);
  }
  return out;
}

// Relative RMS error budget for a weight type converted from BF16.
double Budget(TensorType t) {
  switch (t) {
    case TensorType::kF32:
      return 0.0;  // BF16 -> F32 is exact
    case TensorType::kQ8_0:
      return 0.01;
    case TensorType::kQ6_K:
      return 0.03;
    case TensorType::kQ4_K:
      return 0.12;
    default:
      return -1;
  }
}

TEST(ModelConformanceTest, QuantizedGgufWeightsMatchBf16Checkpoints) {
  HFD_REQUIRE_FIXTURES(fixtures);
  int compared = 0;
  std::set<TensorType> types;
  for (const Expected& e : kModels) {
    if (e.gguf == nullptr) continue;
    SCOPED_TRACE(e.gguf);
    auto gg = OpenOrFail(fixtures / "gguf" / e.gguf);
    auto hf = OpenOrFail(fixtures / "models" / e.hf_dir);
    ASSERT_TRUE(gg && hf);
    for (const std::string& name : gg->WeightNames()) {
      if (name == "rope_freqs.weight") continue;
      SCOPED_TRACE(name);
      auto qw = gg->Weight(name);
      auto bw = hf->Weight(name);
      ASSERT_TRUE(qw.ok() && bw.ok()) << bw.status().ToString();
      ASSERT_EQ(qw->shape, bw->shape);
      std::vector<float> q = ToF32(*qw);
      const std::vector<float> ref = ToF32(*bw);
      const bool permuted = gg->desc().rope_layout == RopeLayout::kInterleaved &&
                            (name.ends_with("attn_q.weight") || name.ends_with("attn_k.weight"));
      if (permuted) q = UnpermuteRows(q, qw->shape[0], gg->desc().head_dim);
      const double budget = Budget(qw->type);
      ASSERT_GE(budget, 0) << "unexpected type " << TypeName(qw->type);
      EXPECT_LE(RelativeRms(q, ref), budget) << TypeName(qw->type);
      if (permuted) {  // the permutation is needed: without it the rows disagree
        EXPECT_GT(RelativeRms(ToF32(*qw), ref), 0.5);
      }
      types.insert(qw->type);
      ++compared;
    }
  }
  EXPECT_GE(compared, 50);
  EXPECT_TRUE(types.count(TensorType::kQ8_0) && types.count(TensorType::kQ4_K) &&
              types.count(TensorType::kQ6_K) && types.count(TensorType::kF32));
}

// Every GGUF file the fixtures hold opens, except one holding a weight type hfd does not
// implement yet (IQ2_* and IQ1_*: none in the fixtures today), which must be refused at
// open with an "unsupported" error that names the type and says what to do. The count is
// what the folders hold, so a fixture added later is checked too.
TEST(ModelConformanceTest, EveryFixtureGgufFileOpens) {
  HFD_REQUIRE_FIXTURES(fixtures);
  int listed = 0;
  for (const char* dir : {"gguf", "quant", "vocab", "arch"}) {
    for (const auto& entry : std::filesystem::directory_iterator(fixtures / dir)) {
      if (entry.path().extension() != ".gguf") continue;
      ++listed;
      const std::string name = entry.path().filename().string();
      SCOPED_TRACE(name);
      auto f = gguf::GgufFile::Open(entry.path());
      if (f.ok()) continue;
      const std::string message = f.status().message();
      std::string unimplemented;
      for (const char* type : {"IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ1_S", "IQ1_M"}) {
        if (name.find(type) != std::string::npos) unimplemented = type;
      }
      EXPECT_FALSE(unimplemented.empty()) << "refused: " << message;
      EXPECT_EQ(f.status().code(), ErrorCode::kUnsupported) << message;
      EXPECT_NE(message.find("(" + unimplemented + ")"), std::string::npos) << message;
      EXPECT_NE(message.find("re-quantize the model"), std::string::npos) << message;
    }
  }
  // gguf/ 3, quant/ 15, vocab/ 6, arch/ 12 when this was written; more is fine.
  EXPECT_GE(listed, 3 + 15 + 6 + 12);
  auto vocab = gguf::GgufFile::Open(fixtures / "vocab" / "ggml-vocab-gpt-2.gguf");
  ASSERT_TRUE(vocab.ok());
  EXPECT_GT((*vocab)->GetStringArray("tokenizer.ggml.tokens")->size(), 50000u);
  // Vocab-only files have no weights: opening them as a model says so.
  auto as_model = OpenModelFiles(fixtures / "vocab" / "ggml-vocab-gpt-2.gguf");
  EXPECT_FALSE(as_model.ok());
}

}  // namespace
}  // namespace hfd::model
