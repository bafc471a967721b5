// The Vulkan kernels' variants and internals the graph-level op test
// (tests/backends/op_test.cc) does not reach: fused kernels against the kernels they fuse,
// matrices split across buffers, flash-decoding parts, chunked embedding lookups.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "backends/vulkan/command_stream.h"
#include "backends/vulkan/tensor_buffer.h"
#include "tests/support/random_blocks.h"
#include "tests/vulkan/vk_test_env.h"

namespace hfd::vk {
namespace {

using namespace testing;  // NOLINT: test helpers

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

enum class MatVecKind { kPlain, kTiled, kBias, kGated, kGatedGelu };

// The kernel variants against the plain matrix-vector kernel, which the op test
// (tests/backends/op_test.cc) holds to the CPU: the tiled kernel over several tiles, the
// fused bias and gate, and matrices split across buffers.
class MatMulTest : public VulkanTest, public ::testing::WithParamInterface<TensorType> {
 protected:
  // y = W x with kernel `kind` on W uploaded in chunks of at most `max_chunk_bytes`
  // (0: whole), W's gate partner `up` for kGated.
  std::vector<float> Run(MatVecKind kind, const ::hfd::testing::RandomMatrix& w,
                         const ::hfd::testing::RandomMatrix& up, int64_t rows, int64_t ntok,
                         uint64_t max_chunk_bytes = 0) {
    const TensorType type = GetParam();
    const int64_t cols = OddCols(type);
    auto dw = DeviceTensor::Upload(*device_, *transfer_, type, cols, rows, w.bytes.data(),
                                   max_chunk_bytes);
    auto dup = DeviceTensor::Upload(*device_, *transfer_, type, cols, rows, up.bytes.data());
    EXPECT_TRUE(dw.ok() && dup.ok()) << dw.status().ToString();
    if (!dw.ok() || !dup.ok()) return {};
    Buffer bx = Upload(RandomFloats(ntok * cols, 12)), by = Zeros(ntok * rows);
    Buffer bbias = Upload(RandomFloats(rows, 14));
    auto s = CommandStream::Begin(*device_);
    EXPECT_TRUE(s.ok());
    if (!s.ok()) return {};
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
      case MatVecKind::kGatedGelu:
        st = kernels_->MatMulVecGated(**s, *dw, *dup, bx, by, ntok, kind == MatVecKind::kGatedGelu);
        break;
    }
    EXPECT_TRUE(st.ok()) << st.ToString();
    EXPECT_TRUE((*s)->End().ok());
    EXPECT_TRUE((*s)->Submit().ok());
    return Download(by, ntok * rows);
  }

  // Checks kernel `kind` against what the plain kernel computes.
  void Check(MatVecKind kind, int64_t rows, int64_t ntok, uint64_t max_chunk_bytes = 0) {
    const TensorType type = GetParam();
    const auto w = ::hfd::testing::MakeRandomMatrix(type, rows, OddCols(type), 11);
    const auto up = ::hfd::testing::MakeRandomMatrix(type, rows, OddCols(type), 13);
    std::vector<float> want = Run(MatVecKind::kPlain, w, up, rows, ntok);
    if (kind == MatVecKind::kBias) {
      const std::vector<float> bias = RandomFloats(rows, 14);
      for (size_t i = 0; i < want.size(); ++i) want[i] += bias[i % rows];
    }
    if (kind == MatVecKind::kGated || kind == MatVecKind::kGatedGelu) {
      const std::vector<float> u = Run(MatVecKind::kPlain, up, up, rows, ntok);
      for (size_t i = 0; i < want.size(); ++i) {
        const float g = want[i];
        const float act =
            kind == MatVecKind::kGated
                ? g / (1 + std::exp(-g))
                : 0.5f * g * (1 + std::tanh(0.7978845608f * (g + 0.044715f * g * g * g)));
        want[i] = act * u[i];
      }
    }
    // Sums of `cols` products of values in [-1, 1] in another order.
    ExpectClose(Run(kind, w, up, rows, ntok, max_chunk_bytes), want, 2e-6 * OddCols(type));
  }
};

TEST_P(MatMulTest, TiledKernelSeveralTiles) { Check(MatVecKind::kTiled, 130, 70); }
TEST_P(MatMulTest, SplitAcrossBuffers) {
  Check(MatVecKind::kPlain, 37, 2, ChunkBytes(GetParam(), 8) + 1);  // 5 chunks of <= 8 rows
}
TEST_P(MatMulTest, VectorKernelWithBias) { Check(MatVecKind::kBias, 37, 2); }
TEST_P(MatMulTest, VectorKernelWithBiasSplitAcrossBuffers) {
  Check(MatVecKind::kBias, 37, 2, ChunkBytes(GetParam(), 8) + 1);
}
TEST_P(MatMulTest, GatedVectorKernel) { Check(MatVecKind::kGated, 37, 3); }
TEST_P(MatMulTest, GeluGatedVectorKernel) { Check(MatVecKind::kGatedGelu, 37, 3); }
TEST_P(MatMulTest, GatedKernelRefusesMatricesSplitAcrossBuffers) {
  const TensorType type = GetParam();
  const int64_t cols = OddCols(type), rows = 9;
  const auto w = ::hfd::testing::MakeRandomMatrix(type, rows, cols, 11);
  auto split = DeviceTensor::Upload(*device_, *transfer_, type, cols, rows, w.bytes.data(),
                                    ChunkBytes(type, 4));
  auto whole = DeviceTensor::Upload(*device_, *transfer_, type, cols, rows, w.bytes.data());
  ASSERT_TRUE(split.ok() && whole.ok());
  EXPECT_TRUE(Kernels::CanGate(*whole, *whole));
  EXPECT_FALSE(Kernels::CanGate(*split, *whole));
  Buffer x = Zeros(cols), y = Zeros(rows);
  auto s = CommandStream::Begin(*device_);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(kernels_->MatMulVecGated(**s, *split, *whole, x, y, 1, false).ok());
  EXPECT_EQ((*s)->dispatch_count(), 0);
}

INSTANTIATE_TEST_SUITE_P(AllWeightTypes, MatMulTest,
                         ::testing::Values(TensorType::kF32, TensorType::kF16, TensorType::kBF16,
                                           TensorType::kQ8_0, TensorType::kQ4_0, TensorType::kQ4_1,
                                           TensorType::kQ5_0, TensorType::kQ5_1, TensorType::kQ4_K,
                                           TensorType::kQ5_K, TensorType::kQ6_K, TensorType::kQ2_K,
                                           TensorType::kQ3_K, TensorType::kIQ4_NL,
                                           TensorType::kIQ4_XS, TensorType::kIQ3_XXS,
                                           TensorType::kIQ3_S, TensorType::kMXFP4),
                         [](const auto& info) { return TypeName(info.param); });

class OpsTest : public VulkanTest {
 protected:
  std::vector<float> Attend(int head_dim, int window, runtime::KvType kv, uint32_t parts);
};

TEST_F(OpsTest, GetRowsAcrossChunks) {
  for (TensorType type : {TensorType::kF16, TensorType::kQ8_0, TensorType::kQ6_K,
                          TensorType::kIQ4_XS, TensorType::kIQ3_XXS, TensorType::kIQ3_S,
                          TensorType::kMXFP4}) {  // MXFP4: rows of 51 bytes, chunks of odd length
    const int64_t cols = OddCols(type), rows = 19;
    const auto w = ::hfd::testing::MakeRandomMatrix(type, rows, cols, 21);
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
  Buffer small = Zeros(n - 1);
  auto s2 = CommandStream::Begin(*device_);
  ASSERT_TRUE(s2.ok());
  EXPECT_FALSE(kernels_->AddRmsNorm(**s2, bw, ba, bb, sum, small, width, 1e-6f, ntok).ok());
}

// The fused kernel writes what rope of q and k, then kv_store, write: both layouts, both
// cache types, GQA, several tokens at a non-zero position, whole and partial rotary (12 of
// 16 dimensions, cos and sin scaled as longrope does).
TEST_F(OpsTest, RopeKvStoreMatchesRopeThenKvStore) {
  const uint32_t n_head = 4, n_head_kv = 2, head_dim = 16, ntok = 3, pos = 6, ctx = 12;
  const uint32_t q_width = n_head * head_dim, kv_width = n_head_kv * head_dim;
  std::vector<float> freqs(head_dim / 2);
  for (uint32_t i = 0; i < head_dim / 2; ++i) freqs[i] = std::pow(10000.0f, -2.0f * i / head_dim);
  std::vector<float> q = RandomFloats(size_t{ntok} * q_width, 55),
                     k = RandomFloats(size_t{ntok} * kv_width, 56),
                     v = RandomFloats(size_t{ntok} * kv_width, 57);
  // Whole heads; partial rotary with a cos/sin factor (longrope); dynamic NTK (calls end
  // at position 9, past an original context of 4).
  for (const auto& [n_rot, scale] :
       {std::pair{16u, RopeScale{}}, std::pair{12u, RopeScale{.attn_factor = 1.19f}},
        std::pair{16u, RopeScale{.ntk_factor = 2.0f, .ntk_original_ctx = 4}}}) {
    for (runtime::KvType kv : {runtime::KvType::kF16, runtime::KvType::kF32}) {
      for (bool interleaved : {true, false}) {
        const uint64_t cache_bytes =
            uint64_t{ctx} * kv_width * (kv == runtime::KvType::kF32 ? 4 : 2);
        Buffer bf = Upload(freqs), bq = Upload(q), bk = Upload(k), bv = Upload(v);
        Buffer params = Params(pos, std::vector<int32_t>(ntok, 0));
        Buffer q_fused = Zeros(q.size()), q_ref = Zeros(q.size()), k_ref = Zeros(k.size());
        Buffer caches[4] = {Zeros(cache_bytes / 4), Zeros(cache_bytes / 4), Zeros(cache_bytes / 4),
                            Zeros(cache_bytes / 4)};
        auto s = CommandStream::Begin(*device_);
        ASSERT_TRUE(s.ok());
        const RopeKvShape shape{n_head, n_head_kv, head_dim, interleaved, kv, n_rot, scale};
        ASSERT_TRUE(kernels_
                        ->RopeKvStore(**s, bf, bq, bk, bv, q_fused, caches[0], caches[1], params,
                                      shape, ntok)
                        .ok());
        EXPECT_EQ((*s)->dispatch_count(), 1);
        ASSERT_TRUE(kernels_
                        ->Rope(**s, bf, bq, q_ref, params, n_head, head_dim, interleaved, ntok,
                               n_rot, scale)
                        .ok());
        ASSERT_TRUE(kernels_
                        ->Rope(**s, bf, bk, k_ref, params, n_head_kv, head_dim, interleaved, ntok,
                               n_rot, scale)
                        .ok());
        ASSERT_TRUE(
            kernels_->KvStore(**s, k_ref, bv, caches[2], caches[3], params, kv_width, ntok, kv)
                .ok());
        ASSERT_TRUE((*s)->End().ok() && (*s)->Submit().ok());
        EXPECT_EQ(Download(q_fused, q.size()), Download(q_ref, q.size()));
        // Compared as raw words: half pairs read as floats may be NaNs.
        EXPECT_EQ(DownloadInts(caches[0], cache_bytes / 4),
                  DownloadInts(caches[2], cache_bytes / 4));
        EXPECT_EQ(DownloadInts(caches[1], cache_bytes / 4),
                  DownloadInts(caches[3], cache_bytes / 4));
      }
    }
  }
}

// Fills the cache with `ctx` positions over several calls, then attends for `ntok` queries
// with the keys split into `parts` (flash decoding): the output of `parts` == 1.
std::vector<float> OpsTest::Attend(int head_dim, int window, runtime::KvType kv, uint32_t parts) {
  Device& device = *device_;
  Kernels& kernels = *kernels_;
  const int n_head = 4, n_head_kv = 2, ctx = 83, ntok = 3, pos = ctx - ntok;
  const int64_t kv_width = int64_t{n_head_kv} * head_dim;
  std::vector<float> keys = RandomFloats(ctx * kv_width, 61);
  std::vector<float> values = RandomFloats(ctx * kv_width, 62);
  std::vector<float> q = RandomFloats(size_t{ntok} * n_head * head_dim, 63);
  const uint64_t cache_bytes = uint64_t{ctx} * kv_width * (kv == runtime::KvType::kF32 ? 4 : 2);
  auto k_cache = Buffer::Create(device, cache_bytes, MemoryUse::kDeviceLocal);
  auto v_cache = Buffer::Create(device, cache_bytes, MemoryUse::kDeviceLocal);
  EXPECT_TRUE(k_cache.ok() && v_cache.ok());
  if (!k_cache.ok() || !v_cache.ok()) return {};
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
  EXPECT_TRUE(s.ok());
  if (!s.ok()) return {};
  EXPECT_TRUE(
      kernels.KvStore(**s, bke, bve, *k_cache, *v_cache, early_params, kv_width, pos, kv).ok());
  EXPECT_TRUE((*s)->End().ok() && (*s)->Submit().ok());
  auto s2 = CommandStream::Begin(device);
  EXPECT_TRUE(s2.ok());
  if (!s2.ok()) return {};
  EXPECT_TRUE(kernels.KvStore(**s2, bk, bv, *k_cache, *v_cache, params, kv_width, ntok, kv).ok());
  const AttentionShape shape{n_head,
                             n_head_kv,
                             static_cast<uint32_t>(head_dim),
                             static_cast<uint32_t>(window),
                             1.0f / std::sqrt(float(head_dim)),
                             kv};
  Buffer scratch = Zeros(Kernels::AttentionScratchBytes(shape, ntok, parts) / 4 + 1);
  EXPECT_TRUE(
      kernels.Attention(**s2, bq, *k_cache, *v_cache, out, params, shape, ntok, parts, &scratch)
          .ok());
  EXPECT_EQ((*s2)->barrier_count(), parts > 1 ? 2 : 1);
  EXPECT_TRUE((*s2)->End().ok() && (*s2)->Submit().ok());
  return Download(out, q.size());
}

// Flash-decoding: the keys split into parts, then merged.
TEST_F(OpsTest, AttentionSplitIntoParts) {
  ExpectClose(Attend(64, 0, runtime::KvType::kF16, 4), Attend(64, 0, runtime::KvType::kF16, 1),
              2e-6);
}
// More parts than keys in the window: most parts are empty and must weigh nothing.
TEST_F(OpsTest, AttentionSplitWithEmptyParts) {
  ExpectClose(Attend(32, 5, runtime::KvType::kF32, 16), Attend(32, 5, runtime::KvType::kF32, 1),
              2e-6);
}

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
  std::vector<float> x = RandomFloats(size_t{width} * rows, 71);
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

// The expert kernels on stacked experts split across buffers of whole experts (the op
// test's and the fixtures' experts fit one buffer): decode's route-indexed kernel (3
// tokens) and prefill's grouped tiled one (200 tokens: about 86 pairs per expert, two
// tiles), each slot reading the token's row or its own part, against the decoded weights.
// MXFP4 rows are addressed in bytes, IQ3_S buffers start with its codebook.
TEST_F(OpsTest, ExpertMatMulAcrossBuffersOfWholeExperts) {
  const MoeShape moe{7, 3, false};
  for (TensorType type : {TensorType::kQ8_0, TensorType::kMXFP4, TensorType::kIQ3_S}) {
    SCOPED_TRACE(TypeName(type));
    const int64_t cols = OddCols(type), rows = 5;
    const auto w = ::hfd::testing::MakeRandomMatrix(type, rows * moe.n_expert, cols, 41);
    EXPECT_EQ(DeviceTensor::Upload(*device_, *transfer_, type, cols, rows * moe.n_expert,
                                   w.bytes.data(), ChunkBytes(type, rows - 1), rows)
                  .status()
                  .code(),
              ErrorCode::kTooLarge);  // one expert does not fit a buffer
    auto dw = DeviceTensor::Upload(*device_, *transfer_, type, cols, rows * moe.n_expert,
                                   w.bytes.data(), ChunkBytes(type, 2 * rows + 3), rows);
    ASSERT_TRUE(dw.ok()) << dw.status().ToString();
    ASSERT_EQ(dw->chunks().size(), 4u);  // 2 + 2 + 2 + 1 experts
    for (const auto& [ntok, per_slot] : {std::pair{3u, false}, std::pair{3u, true},
                                         std::pair{200u, false}, std::pair{200u, true}}) {
      SCOPED_TRACE(std::to_string(ntok) + (per_slot ? " per slot" : ""));
      const auto x_width = static_cast<uint32_t>(per_slot ? moe.top_k * cols : cols);
      const size_t slots = moe.top_k, n = ntok;
      std::vector<float> route(n * 2 * slots, 0.5f);
      for (size_t t = 0; t < n; ++t) {
        for (size_t k = 0; k < slots; ++k) route[t * 2 * slots + k] = (t + 2 * k) % 7;
      }
      const std::vector<float> x = RandomFloats(n * x_width, 42);
      Buffer broutes = Upload(route), bx = Upload(x), by = Zeros(n * slots * rows);
      Buffer group = Zeros(Kernels::MoeGroupBytes(moe, ntok) / 4);
      auto s = CommandStream::Begin(*device_);
      ASSERT_TRUE(s.ok());
      if (Kernels::UsesMatVec(ntok)) {
        ASSERT_TRUE(kernels_->MoeMatMulVec(**s, *dw, bx, broutes, by, moe, x_width, ntok).ok());
      } else {
        ASSERT_TRUE(kernels_->MoeGroup(**s, broutes, group, moe, ntok).ok());
        ASSERT_TRUE(kernels_->MoeMatMulTiled(**s, *dw, bx, group, by, moe, x_width, ntok).ok());
      }
      ASSERT_TRUE((*s)->End().ok() && (*s)->Submit().ok());
      const std::vector<float> got = Download(by, n * slots * rows);
      std::vector<float> want(got.size());
      for (size_t t = 0; t < n; ++t) {
        for (size_t k = 0; k < slots; ++k) {
          const auto e = static_cast<int64_t>(route[t * 2 * slots + k]);
          const float* xs = &x[t * x_width + (per_slot ? k * cols : 0)];
          for (int64_t r = 0; r < rows; ++r) {
            double acc = 0;
            for (int64_t c = 0; c < cols; ++c) {
              acc += double(w.decoded[(e * rows + r) * cols + c]) * xs[c];
            }
            want[(t * slots + k) * rows + r] = static_cast<float>(acc);
          }
        }
      }
      ExpectClose(got, want, 2e-6 * cols);
    }
  }
}

TEST_F(OpsTest, UnsupportedWeightTypeIsAnError) {
  EXPECT_TRUE(Kernels::SupportsWeightType(TensorType::kQ2_K));
  EXPECT_TRUE(Kernels::SupportsWeightType(TensorType::kIQ3_S));
  EXPECT_FALSE(Kernels::SupportsWeightType(TensorType::kQ8_K));  // activations only
  EXPECT_TRUE(Kernels::SupportsWeightType(TensorType::kQ6_K));
}

}  // namespace
}  // namespace hfd::vk
