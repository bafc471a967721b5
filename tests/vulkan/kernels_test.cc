// Every Vulkan kernel against a scalar reference on random inputs of odd sizes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "backends/vulkan/command_stream.h"
#include "backends/vulkan/tensor_buffer.h"
#include "engine/quant/dequantize.h"
#include "tests/support/random_blocks.h"
#include "tests/vulkan/reference_ops.h"
#include "tests/vulkan/vk_test_env.h"

namespace hfd::vk {
namespace {

using namespace testing;  // NOLINT: test helpers

// A quantized weight matrix and the floats it decodes to (the reference's view).
struct QuantWeight {
  std::vector<uint8_t> bytes;
  std::vector<float> decoded;
};

QuantWeight MakeWeight(TensorType type, int64_t rows, int64_t cols, uint32_t seed) {
  std::vector<float> w = RandomFloats(rows * cols, seed);
  const int64_t row_bytes = RowBytes(type, cols);
  QuantWeight q;
  q.bytes.resize(rows * row_bytes);
  q.decoded.resize(rows * cols);
  for (int64_t r = 0; r < rows; ++r) {
    if (!QuantizeRow(type, &w[r * cols], &q.bytes[r * row_bytes], cols).ok()) {
      q.bytes = hfd::testing::RandomBlocks(type, rows, cols, seed);  // a type hfd only decodes
      break;
    }
  }
  for (int64_t r = 0; r < rows; ++r) {
    EXPECT_TRUE(DequantizeRow(type, &q.bytes[r * row_bytes], &q.decoded[r * cols], cols).ok());
  }
  return q;
}

// Float types take any row length; block types a multiple of their block.
int64_t OddCols(TensorType type) {
  const int64_t block = GetTypeTraits(type)->block_elems;
  return block == 1 ? 97 : block * 3;
}

// Room in one buffer for `rows` rows of the test's shape (and the type's codebook).
uint64_t ChunkBytes(TensorType type, int64_t rows) {
  return rows * RowBytes(type, OddCols(type)) + DeviceTensor::Codebook(type).size();
}

void ExpectClose(const std::vector<float>& got, const std::vector<float>& want, double tol) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(got[i], want[i], tol * std::max(1.0f, std::fabs(want[i]))) << "at " << i;
  }
}

enum class MatVecKind { kPlain, kTiled, kBias, kGated };

class MatMulTest : public VulkanTest, public ::testing::WithParamInterface<TensorType> {
 protected:
  // Runs y = W x with the chosen kernel and compares with the dequantized reference.
  void Check(int64_t rows, int64_t ntok, MatVecKind kind, uint64_t max_chunk_bytes = 0) {
    const TensorType type = GetParam();
    const int64_t cols = OddCols(type);
    QuantWeight w = MakeWeight(type, rows, cols, 11);
    QuantWeight up = MakeWeight(type, rows, cols, 13);
    auto dw = DeviceTensor::Upload(*device_, *transfer_, type, cols, rows, w.bytes.data(),
                                   max_chunk_bytes);
    auto dup = DeviceTensor::Upload(*device_, *transfer_, type, cols, rows, up.bytes.data(),
                                    max_chunk_bytes);
    ASSERT_TRUE(dw.ok() && dup.ok()) << dw.status().ToString();
    std::vector<float> x = RandomFloats(ntok * cols, 12);
    std::vector<float> bias = RandomFloats(rows, 14);
    Buffer bx = Upload(x), by = Zeros(ntok * rows), bbias = Upload(bias);
    auto s = CommandStream::Begin(*device_);
    ASSERT_TRUE(s.ok());
    Status st;
    switch (kind) {
      case MatVecKind::kPlain:
        st = kernels_->MatMulVec(**s, *dw, bx, by, ntok);
        break;
      case MatVecKind::kTiled:
        st = kernels_->MatMulTiled(**s, *dw, bx, by, ntok);
        break;
      case MatVecKind::kBias:
        st = kernels_->MatMulVecBias(**s, *dw, bbias, bx, by, ntok);
        break;
      case MatVecKind::kGated:
        st = kernels_->MatMulVecGated(**s, *dw, *dup, bx, by, ntok);
        break;
    }
    ASSERT_TRUE(st.ok()) << st.ToString();
    ASSERT_TRUE((*s)->End().ok());
    ASSERT_TRUE((*s)->Submit().ok());
    std::vector<float> want = RefMatMul(w.decoded, rows, cols, x, ntok);
    if (kind == MatVecKind::kBias) {
      for (size_t i = 0; i < want.size(); ++i) want[i] += bias[i % rows];
    }
    if (kind == MatVecKind::kGated) {
      const std::vector<float> u = RefMatMul(up.decoded, rows, cols, x, ntok);
      for (size_t i = 0; i < want.size(); ++i) want[i] = want[i] / (1 + std::exp(-want[i])) * u[i];
    }
    // Sums of `cols` products of values in [-1, 1]: allow float rounding of that order.
    ExpectClose(Download(by, ntok * rows), want, 2e-6 * cols);
  }
};

TEST_P(MatMulTest, VectorKernelOneToken) { Check(37, 1, MatVecKind::kPlain); }
TEST_P(MatMulTest, VectorKernelThreeTokens) { Check(37, 3, MatVecKind::kPlain); }
TEST_P(MatMulTest, TiledKernel) { Check(45, 11, MatVecKind::kTiled); }
TEST_P(MatMulTest, TiledKernelSeveralTiles) { Check(130, 70, MatVecKind::kTiled); }
TEST_P(MatMulTest, SplitAcrossBuffers) {
  Check(37, 2, MatVecKind::kPlain, ChunkBytes(GetParam(), 8) + 1);  // 5 chunks of <= 8 rows
}
TEST_P(MatMulTest, VectorKernelWithBias) { Check(37, 2, MatVecKind::kBias); }
TEST_P(MatMulTest, VectorKernelWithBiasSplitAcrossBuffers) {
  Check(37, 2, MatVecKind::kBias, ChunkBytes(GetParam(), 8) + 1);
}
TEST_P(MatMulTest, GatedVectorKernel) { Check(37, 3, MatVecKind::kGated); }
TEST_P(MatMulTest, GatedKernelRefusesMatricesSplitAcrossBuffers) {
  const TensorType type = GetParam();
  const int64_t cols = OddCols(type), rows = 9;
  QuantWeight w = MakeWeight(type, rows, cols, 11);
  auto split = DeviceTensor::Upload(*device_, *transfer_, type, cols, rows, w.bytes.data(),
                                    ChunkBytes(type, 4));
  auto whole = DeviceTensor::Upload(*device_, *transfer_, type, cols, rows, w.bytes.data());
  ASSERT_TRUE(split.ok() && whole.ok());
  EXPECT_TRUE(Kernels::CanGate(*whole, *whole));
  EXPECT_FALSE(Kernels::CanGate(*split, *whole));
  Buffer x = Zeros(cols), y = Zeros(rows);
  auto s = CommandStream::Begin(*device_);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(kernels_->MatMulVecGated(**s, *split, *whole, x, y, 1).ok());
  EXPECT_EQ((*s)->dispatch_count(), 0);
}

INSTANTIATE_TEST_SUITE_P(AllWeightTypes, MatMulTest,
                         ::testing::Values(TensorType::kF32, TensorType::kF16, TensorType::kBF16,
                                           TensorType::kQ8_0, TensorType::kQ4_0, TensorType::kQ4_1,
                                           TensorType::kQ5_0, TensorType::kQ5_1, TensorType::kQ4_K,
                                           TensorType::kQ5_K, TensorType::kQ6_K, TensorType::kQ2_K,
                                           TensorType::kQ3_K, TensorType::kIQ4_NL,
                                           TensorType::kIQ4_XS, TensorType::kIQ3_XXS,
                                           TensorType::kIQ3_S),
                         [](const auto& info) { return TypeName(info.param); });

class OpsTest : public VulkanTest {
 protected:
  void CheckAttention(int head_dim, int window, runtime::KvType kv = runtime::KvType::kF16,
                      uint32_t parts = 1);
};

TEST_F(OpsTest, GetRowsAcrossChunks) {
  for (TensorType type : {TensorType::kF16, TensorType::kQ8_0, TensorType::kQ6_K,
                          TensorType::kIQ4_XS, TensorType::kIQ3_XXS, TensorType::kIQ3_S}) {
    const int64_t cols = OddCols(type), rows = 19;
    QuantWeight w = MakeWeight(type, rows, cols, 21);
    auto dw = DeviceTensor::Upload(*device_, *transfer_, type, cols, rows, w.bytes.data(),
                                   ChunkBytes(type, 7));
    ASSERT_TRUE(dw.ok());
    const std::vector<int32_t> tokens = {18, 0, 7, 6, 13};
    Buffer params = Params(0, tokens), out = Zeros(tokens.size() * cols);
    auto s = CommandStream::Begin(*device_);
    ASSERT_TRUE(s.ok());
    const Status got_rows = kernels_->GetRows(**s, *dw, params, out, tokens.size());
    ASSERT_TRUE(got_rows.ok()) << TypeName(type) << ": " << got_rows.ToString();
    ASSERT_TRUE((*s)->End().ok() && (*s)->Submit().ok());
    std::vector<float> got = Download(out, tokens.size() * cols);
    for (size_t t = 0; t < tokens.size(); ++t) {
      for (int64_t k = 0; k < cols; ++k) {
        ASSERT_EQ(got[t * cols + k], w.decoded[tokens[t] * cols + k]) << TypeName(type);
      }
    }
  }
}

TEST_F(OpsTest, RmsNormWholeRowAndPerHead) {
  const int64_t width = 96, ntok = 3;
  std::vector<float> x = RandomFloats(width * ntok, 31);
  for (int64_t group : {width, int64_t{32}}) {
    std::vector<float> w = RandomFloats(group, 32);
    Buffer bw = Upload(w), bx = Upload(x), by = Zeros(x.size());
    auto s = CommandStream::Begin(*device_);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(kernels_->RmsNorm(**s, bw, bx, by, width, group, 1e-5f, ntok).ok());
    ASSERT_TRUE((*s)->End().ok() && (*s)->Submit().ok());
    ExpectClose(Download(by, x.size()), RefRmsNorm(x, w, width, group, 1e-5f), 1e-5);
  }
}

// The fused kernel computes exactly what add, then rms_norm, compute.
TEST_F(OpsTest, AddRmsNormMatchesAddThenRmsNorm) {
  const uint32_t width = 300, ntok = 3, n = width * ntok;
  std::vector<float> a = RandomFloats(n, 33), b = RandomFloats(n, 34), w = RandomFloats(width, 35);
  Buffer ba = Upload(a), bb = Upload(b), bw = Upload(w);
  Buffer sum = Zeros(n), out = Zeros(n), sum2 = Zeros(n), out2 = Zeros(n);
  auto s = CommandStream::Begin(*device_);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(kernels_->AddRmsNorm(**s, bw, ba, bb, sum, out, width, 1e-6f, ntok).ok());
  EXPECT_EQ((*s)->dispatch_count(), 1);
  ASSERT_TRUE(kernels_->Add(**s, ba, bb, sum2, n).ok());
  ASSERT_TRUE(kernels_->RmsNorm(**s, bw, sum2, out2, width, width, 1e-6f, ntok).ok());
  ASSERT_TRUE((*s)->End().ok() && (*s)->Submit().ok());
  EXPECT_EQ(Download(sum, n), Download(sum2, n));
  EXPECT_EQ(Download(out, n), Download(out2, n));
  std::vector<float> want_sum(n);
  for (uint32_t i = 0; i < n; ++i) want_sum[i] = a[i] + b[i];
  ExpectClose(Download(out, n), RefRmsNorm(want_sum, w, width, width, 1e-6f), 1e-5);
  Buffer small = Zeros(n - 1);
  auto s2 = CommandStream::Begin(*device_);
  ASSERT_TRUE(s2.ok());
  EXPECT_FALSE(kernels_->AddRmsNorm(**s2, bw, ba, bb, sum, small, width, 1e-6f, ntok).ok());
}

TEST_F(OpsTest, ElementwiseAddBiasSwiGLU) {
  const uint32_t width = 67, ntok = 5, n = width * ntok;
  std::vector<float> a = RandomFloats(n, 41), b = RandomFloats(n, 42),
                     bias = RandomFloats(width, 43);
  Buffer ba = Upload(a), bb = Upload(b), bbias = Upload(bias);
  Buffer sum = Zeros(n), biased = Zeros(n), glu = Zeros(n);
  auto s = CommandStream::Begin(*device_);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(kernels_->Add(**s, ba, bb, sum, n).ok());
  ASSERT_TRUE(kernels_->AddBias(**s, ba, bbias, biased, width, ntok).ok());
  ASSERT_TRUE(kernels_->SwiGLU(**s, ba, bb, glu, n).ok());
  ASSERT_TRUE((*s)->End().ok() && (*s)->Submit().ok());
  std::vector<float> want_sum(n), want_bias(n), want_glu(n);
  for (uint32_t i = 0; i < n; ++i) {
    want_sum[i] = a[i] + b[i];
    want_bias[i] = a[i] + bias[i % width];
    want_glu[i] = a[i] / (1.0f + std::exp(-a[i])) * b[i];
  }
  ExpectClose(Download(sum, n), want_sum, 1e-6);
  ExpectClose(Download(biased, n), want_bias, 1e-6);
  ExpectClose(Download(glu, n), want_glu, 1e-5);
}

TEST_F(OpsTest, RopeBothLayouts) {
  const int n_head = 3, head_dim = 16, ntok = 2, pos = 5;
  std::vector<float> freqs(head_dim / 2);
  for (int i = 0; i < head_dim / 2; ++i) freqs[i] = std::pow(10000.0f, -2.0f * i / head_dim);
  std::vector<float> x = RandomFloats(ntok * n_head * head_dim, 51);
  for (bool interleaved : {true, false}) {
    Buffer bf = Upload(freqs), bx = Upload(x), by = Zeros(x.size());
    Buffer params = Params(pos, {1, 2});
    auto s = CommandStream::Begin(*device_);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(kernels_->Rope(**s, bf, bx, by, params, n_head, head_dim, interleaved, ntok).ok());
    ASSERT_TRUE((*s)->End().ok() && (*s)->Submit().ok());
    ExpectClose(Download(by, x.size()), RefRope(x, freqs, n_head, head_dim, interleaved, pos),
                1e-5);
  }
}

// The fused kernel writes what rope of q and k, then kv_store, write: both layouts, both
// cache types, GQA, several tokens at a non-zero position.
TEST_F(OpsTest, RopeKvStoreMatchesRopeThenKvStore) {
  const uint32_t n_head = 4, n_head_kv = 2, head_dim = 16, ntok = 3, pos = 6, ctx = 12;
  const uint32_t q_width = n_head * head_dim, kv_width = n_head_kv * head_dim;
  std::vector<float> freqs(head_dim / 2);
  for (uint32_t i = 0; i < head_dim / 2; ++i) freqs[i] = std::pow(10000.0f, -2.0f * i / head_dim);
  std::vector<float> q = RandomFloats(ntok * q_width, 55), k = RandomFloats(ntok * kv_width, 56),
                     v = RandomFloats(ntok * kv_width, 57);
  for (runtime::KvType kv : {runtime::KvType::kF16, runtime::KvType::kF32}) {
    for (bool interleaved : {true, false}) {
      const uint64_t cache_bytes = uint64_t{ctx} * kv_width * (kv == runtime::KvType::kF32 ? 4 : 2);
      Buffer bf = Upload(freqs), bq = Upload(q), bk = Upload(k), bv = Upload(v);
      Buffer params = Params(pos, std::vector<int32_t>(ntok, 0));
      Buffer q_fused = Zeros(q.size()), q_ref = Zeros(q.size()), k_ref = Zeros(k.size());
      Buffer caches[4] = {Zeros(cache_bytes / 4), Zeros(cache_bytes / 4), Zeros(cache_bytes / 4),
                          Zeros(cache_bytes / 4)};
      auto s = CommandStream::Begin(*device_);
      ASSERT_TRUE(s.ok());
      const RopeKvShape shape{n_head, n_head_kv, head_dim, interleaved, kv};
      ASSERT_TRUE(
          kernels_
              ->RopeKvStore(**s, bf, bq, bk, bv, q_fused, caches[0], caches[1], params, shape, ntok)
              .ok());
      EXPECT_EQ((*s)->dispatch_count(), 1);
      ASSERT_TRUE(
          kernels_->Rope(**s, bf, bq, q_ref, params, n_head, head_dim, interleaved, ntok).ok());
      ASSERT_TRUE(
          kernels_->Rope(**s, bf, bk, k_ref, params, n_head_kv, head_dim, interleaved, ntok).ok());
      ASSERT_TRUE(
          kernels_->KvStore(**s, k_ref, bv, caches[2], caches[3], params, kv_width, ntok, kv).ok());
      ASSERT_TRUE((*s)->End().ok() && (*s)->Submit().ok());
      EXPECT_EQ(Download(q_fused, q.size()), Download(q_ref, q.size()));
      // Compared as raw words: half pairs read as floats may be NaNs.
      EXPECT_EQ(DownloadInts(caches[0], cache_bytes / 4), DownloadInts(caches[2], cache_bytes / 4));
      EXPECT_EQ(DownloadInts(caches[1], cache_bytes / 4), DownloadInts(caches[3], cache_bytes / 4));
      // And the rotation is the reference's (a check that the two kernels are not both wrong).
      ExpectClose(Download(q_fused, q.size()),
                  RefRope(q, freqs, n_head, head_dim, interleaved, pos), 1e-5);
    }
  }
}

// Fills the cache with `ctx` positions over several calls, then attends for `ntok` queries.
void OpsTest::CheckAttention(int head_dim, int window, runtime::KvType kv, uint32_t parts) {
  Device& device = *device_;
  Kernels& kernels = *kernels_;
  const int n_head = 4, n_head_kv = 2, ctx = 83, ntok = 3, pos = ctx - ntok;
  const int kv_width = n_head_kv * head_dim;
  std::vector<float> keys = RandomFloats(ctx * kv_width, 61);
  std::vector<float> values = RandomFloats(ctx * kv_width, 62);
  std::vector<float> q = RandomFloats(ntok * n_head * head_dim, 63);
  const bool f32 = kv == runtime::KvType::kF32;
  const uint64_t cache_bytes = uint64_t{ctx} * kv_width * (f32 ? 4 : 2);
  auto k_cache = Buffer::Create(device, cache_bytes, MemoryUse::kDeviceLocal);
  auto v_cache = Buffer::Create(device, cache_bytes, MemoryUse::kDeviceLocal);
  ASSERT_TRUE(k_cache.ok() && v_cache.ok());
  // Earlier positions in one call, this call's three in the same stream as the attention.
  Buffer early_params = Params(0, std::vector<int32_t>(pos, 0));
  Buffer params = Params(pos, std::vector<int32_t>(ntok, 0));
  std::vector<float> k_early(keys.begin(), keys.begin() + pos * kv_width);
  std::vector<float> v_early(values.begin(), values.begin() + pos * kv_width);
  std::vector<float> k_now(keys.begin() + pos * kv_width, keys.end());
  std::vector<float> v_now(values.begin() + pos * kv_width, values.end());
  Buffer bke = Upload(k_early), bve = Upload(v_early), bk = Upload(k_now), bv = Upload(v_now),
         bq = Upload(q), out = Zeros(q.size());
  auto s = CommandStream::Begin(device);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(
      kernels.KvStore(**s, bke, bve, *k_cache, *v_cache, early_params, kv_width, pos, kv).ok());
  ASSERT_TRUE((*s)->End().ok() && (*s)->Submit().ok());
  auto s2 = CommandStream::Begin(device);
  ASSERT_TRUE(s2.ok());
  ASSERT_TRUE(kernels.KvStore(**s2, bk, bv, *k_cache, *v_cache, params, kv_width, ntok, kv).ok());
  const AttentionShape shape{n_head,
                             n_head_kv,
                             static_cast<uint32_t>(head_dim),
                             static_cast<uint32_t>(window),
                             1.0f / std::sqrt(float(head_dim)),
                             kv};
  Buffer scratch = Zeros(Kernels::AttentionScratchBytes(shape, ntok, parts) / 4 + 1);
  ASSERT_TRUE(
      kernels.Attention(**s2, bq, *k_cache, *v_cache, out, params, shape, ntok, parts, &scratch)
          .ok());
  EXPECT_EQ((*s2)->barrier_count(), parts > 1 ? 2 : 1);
  ASSERT_TRUE((*s2)->End().ok() && (*s2)->Submit().ok());
  ExpectClose(Download(out, q.size()),
              RefAttention(q, f32 ? keys : RoundToHalf(keys), f32 ? values : RoundToHalf(values),
                           n_head, n_head_kv, head_dim, pos, ntok, window, shape.scale),
              2e-5);
}

TEST_F(OpsTest, AttentionGqaCausal) { CheckAttention(32, 0); }
TEST_F(OpsTest, AttentionSlidingWindowLargeHead) { CheckAttention(128, 7); }
TEST_F(OpsTest, AttentionOverAnF32Cache) { CheckAttention(64, 0, runtime::KvType::kF32); }
TEST_F(OpsTest, AttentionOverAnF32CacheSlidingWindow) {
  CheckAttention(32, 5, runtime::KvType::kF32);
}

// Flash-decoding: the keys split into parts, then merged.
TEST_F(OpsTest, AttentionSplitIntoParts) { CheckAttention(64, 0, runtime::KvType::kF16, 4); }
// More parts than keys in the window: most parts are empty and must weigh nothing.
TEST_F(OpsTest, AttentionSplitWithEmptyParts) { CheckAttention(32, 5, runtime::KvType::kF32, 16); }

TEST_F(OpsTest, AttentionSplitsOnlyCallsOfFewWorkgroupsOverLongCaches) {
  const AttentionShape shape{32, 8, 128, 0, 0.1f, runtime::KvType::kF16};
  EXPECT_EQ(Kernels::AttentionParts(shape, 1, 4096), 16u);
  EXPECT_EQ(Kernels::AttentionParts(shape, 1, 512), 4u);
  EXPECT_EQ(Kernels::AttentionParts(shape, 1, 64), 1u);      // short cache
  EXPECT_EQ(Kernels::AttentionParts(shape, 512, 4096), 1u);  // prefill: enough workgroups
  const AttentionShape many_heads{128, 8, 128, 0, 0.1f, runtime::KvType::kF16};
  EXPECT_EQ(Kernels::AttentionParts(many_heads, 2, 4096), 1u);
}

TEST_F(OpsTest, ArgmaxTakesTheFirstOfEqualMaxima) {
  const uint32_t width = 1001, rows = 3;
  std::vector<float> x = RandomFloats(width * rows, 71);
  x[0 * width + 500] = 5.0f;
  x[0 * width + 900] = 5.0f;
  x[1 * width + 1000] = 2.0f;
  x[2 * width + 3] = 7.0f;
  x[2 * width + 2] = 7.0f;
  Buffer bx = Upload(x), out = Zeros(rows);
  auto s = CommandStream::Begin(*device_);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(kernels_->Argmax(**s, bx, out, width, rows).ok());
  ASSERT_TRUE((*s)->End().ok() && (*s)->Submit().ok());
  EXPECT_EQ(DownloadInts(out, rows), (std::vector<int32_t>{500, 1000, 2}));
}

TEST_F(OpsTest, UnsupportedWeightTypeIsAnError) {
  EXPECT_TRUE(Kernels::SupportsWeightType(TensorType::kQ2_K));
  EXPECT_TRUE(Kernels::SupportsWeightType(TensorType::kIQ3_S));
  EXPECT_FALSE(Kernels::SupportsWeightType(TensorType::kQ8_K));  // activations only
  EXPECT_TRUE(Kernels::SupportsWeightType(TensorType::kQ6_K));
}

}  // namespace
}  // namespace hfd::vk
