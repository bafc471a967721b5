// Op fusion (backends/vulkan/fusion.h) on the fixture models: which chains are merged,
// how many dispatches a decode token takes with and without it, and that merging changes
// no result: every fused kernel computes the same float operations in the same order as
// the ops it replaces, so logits must be bit-identical.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "backends/vulkan/fusion.h"
#include "backends/vulkan/vulkan_backend.h"
#include "backends/vulkan/vulkan_executable.h"
#include "engine/model/model_files.h"
#include "engine/runtime/graph_builder.h"
#include "engine/runtime/session.h"
#include "tests/support/fixtures.h"
#include "tests/vulkan/vk_test_env.h"

namespace hfd::vk {
namespace {

struct Case {
  const char* path;  // under the fixtures directory
  bool qkv_bias;     // Qwen2's q/k/v biases
  // A mixture-of-experts FFN (Qwen2-MoE's: and a shared expert).
  bool experts = false;
};

class FusionTest : public ::testing::TestWithParam<Case> {};

std::unique_ptr<runtime::Backend> Backend(bool fuse) {
  auto b = CreateVulkanBackend({.device = ::hfd::vk::testing::TestDeviceName(), .fuse_ops = fuse});
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  return b.ok() ? std::move(*b) : nullptr;
}

std::map<Fusion, int> CountSteps(const runtime::Graph& graph, bool matvec) {
  std::map<Fusion, int> n;
  for (const Step& s : PlanSteps(graph, matvec)) ++n[s.kind];
  return n;
}

TEST_P(FusionTest, MergesEachBlocksChains) {
  HFD_REQUIRE_FIXTURES(fixtures);
  auto files = model::OpenModelFiles(fixtures / GetParam().path);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  auto graph = runtime::BuildGraph(**files, {.max_tokens = 1});
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  const int n_layer = graph->n_layer;
  std::map<Fusion, int> decode = CountSteps(*graph, /*matvec=*/true);
  std::map<Fusion, int> prefill = CountSteps(*graph, /*matvec=*/false);
  // Each block's two residual adds feed a norm, except the last block's (last_row is next).
  EXPECT_EQ(decode[Fusion::kAddRmsNorm], 2 * n_layer - 1);
  EXPECT_EQ(decode[Fusion::kGatedMatMul], n_layer);
  EXPECT_EQ(decode[Fusion::kRopeAttention], n_layer);
  EXPECT_EQ(decode[Fusion::kMatMulBias], GetParam().qkv_bias ? 3 * n_layer : 0);
  EXPECT_EQ(decode[Fusion::kGatedMoeMatMul], GetParam().experts ? n_layer : 0);
  // Prefill uses the tiled matmul kernel, which has no bias or gated variant.
  EXPECT_EQ(prefill[Fusion::kAddRmsNorm], 2 * n_layer - 1);
  EXPECT_EQ(prefill[Fusion::kRopeAttention], n_layer);
  EXPECT_EQ(prefill[Fusion::kGatedMatMul] + prefill[Fusion::kMatMulBias] +
                prefill[Fusion::kGatedMoeMatMul],
            0);
  for (const Step& s : PlanSteps(*graph, true, /*enabled=*/false)) {
    EXPECT_EQ(s.kind, Fusion::kNone);
  }
}

// The dispatches of a decode token of `files`' argmax graph, without and with fusion.
void CountDecodeDispatches(const model::ModelFiles& files, const runtime::Graph& graph,
                           int dispatches[2]) {
  for (bool fuse : {false, true}) {
    std::unique_ptr<runtime::Backend> backend = Backend(fuse);
    ASSERT_NE(backend, nullptr);
    ASSERT_TRUE(backend->LoadWeights(files).ok());
    auto cache = backend->AllocateKvCache(
        {graph.n_layer, 16, graph.n_head_kv, graph.head_dim, runtime::KvType::kF16});
    ASSERT_TRUE(cache.ok());
    auto exe = backend->Compile(graph, **cache);
    ASSERT_TRUE(exe.ok()) << exe.status().ToString();
    auto counts = dynamic_cast<VulkanExecutable&>(**exe).Counts(1);
    ASSERT_TRUE(counts.ok());
    dispatches[fuse] = counts->dispatches;
  }
}

TEST_P(FusionTest, FewerDispatchesPerDecodeToken) {
  HFD_REQUIRE_FIXTURES(fixtures);
  auto files = model::OpenModelFiles(fixtures / GetParam().path);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  auto graph =
      runtime::BuildGraph(**files, {.max_tokens = 1, .output = runtime::GraphOutput::kLastArgmax});
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  int dispatches[2] = {0, 0};
  ASSERT_NO_FATAL_FAILURE(CountDecodeDispatches(**files, *graph, dispatches));
  // Per block: add+norm twice (-2), gate/up/swiglu (-2), rope q/k + kv_store (-2), each
  // bias add (-3 with q/k/v biases), the experts' gate/up/swiglu (-2); the last block's
  // second add has no norm.
  const int per_block = 6 + (GetParam().qkv_bias ? 3 : 0) + (GetParam().experts ? 2 : 0);
  EXPECT_EQ(dispatches[0] - dispatches[1], graph->n_layer * per_block - 1)
      << dispatches[0] << " -> " << dispatches[1];
}

// Teacher-forced prompt (tiled kernels, batch 16), then single tokens (matrix-vector
// kernels): the fused backend's logits equal the unfused one's bit for bit.
void ExpectSameLogitsBitForBit(const model::ModelFiles& files) {
  std::unique_ptr<runtime::Backend> backends[2] = {Backend(false), Backend(true)};
  std::unique_ptr<runtime::Session> sessions[2];
  for (int i = 0; i < 2; ++i) {
    ASSERT_NE(backends[i], nullptr);
    ASSERT_TRUE(backends[i]->LoadWeights(files).ok());
    auto s = runtime::Session::Create(*backends[i], files, {.n_ctx = 64, .prefill_batch = 16});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    sessions[i] = std::move(*s);
  }
  const std::vector<int32_t> prompt = {1,  17, 4, 99, 23,  5,  42, 8,  15, 16,
                                       23, 42, 7, 3,  250, 11, 12, 13, 2};
  auto plain = sessions[0]->FeedAll(prompt);
  auto fused = sessions[1]->FeedAll(prompt);
  ASSERT_TRUE(plain.ok() && fused.ok());
  ASSERT_EQ(*plain, *fused) << "prefill";
  int32_t next = 9;
  for (int step = 0; step < 6; ++step) {
    auto a = sessions[0]->Feed(std::vector<int32_t>{next});
    ASSERT_TRUE(a.ok());
    const std::vector<float> want(a->begin(), a->end());
    auto b = sessions[1]->Feed(std::vector<int32_t>{next});
    ASSERT_TRUE(b.ok());
    ASSERT_EQ(std::vector<float>(b->begin(), b->end()), want) << "decode step " << step;
    next = static_cast<int32_t>(std::max_element(want.begin(), want.end()) - want.begin());
  }
}

TEST_P(FusionTest, SameLogitsBitForBit) {
  HFD_REQUIRE_FIXTURES(fixtures);
  auto files = model::OpenModelFiles(fixtures / GetParam().path);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ExpectSameLogitsBitForBit(**files);
}

// tiny-gptoss (tests/cpu/testdata/moe): decode merges each block's expert gate and up
// products with their per-expert biases and the clamped SwiGLU into one kernel, and its
// sink attention with the rope and cache writes; no dense gated MLP. Fused and unfused
// logits are bit-identical.
TEST(GptOssFusionTest, MergesExpertBiasesAndSinkAttention) {
  auto files = model::OpenModelFiles(std::filesystem::path(HFD_MOE_TESTDATA) / "tiny-gptoss.gguf");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  auto graph =
      runtime::BuildGraph(**files, {.max_tokens = 1, .output = runtime::GraphOutput::kLastArgmax});
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  const int n_layer = graph->n_layer;
  std::map<Fusion, int> decode = CountSteps(*graph, /*matvec=*/true);
  EXPECT_EQ(decode[Fusion::kGatedMoeMatMulBias], n_layer);
  EXPECT_EQ(decode[Fusion::kRopeAttention], n_layer);
  EXPECT_EQ(decode[Fusion::kMatMulBias], 5 * n_layer);  // q, k, v, o and the router
  EXPECT_EQ(decode[Fusion::kAddRmsNorm], 2 * n_layer - 1);
  EXPECT_EQ(decode[Fusion::kGatedMatMul] + decode[Fusion::kGatedMoeMatMul], 0);
  std::map<Fusion, int> prefill = CountSteps(*graph, /*matvec=*/false);
  EXPECT_EQ(prefill[Fusion::kGatedMoeMatMulBias], 0);
  EXPECT_EQ(prefill[Fusion::kRopeAttention], n_layer);
  int dispatches[2] = {0, 0};
  ASSERT_NO_FATAL_FAILURE(CountDecodeDispatches(**files, *graph, dispatches));
  // Per block: add+norm twice (-2), rope q/k + kv_store (-2), five biases (-5), the experts'
  // gate, biases, up and activation (-4); the last block's second add has no norm.
  EXPECT_EQ(dispatches[0] - dispatches[1], n_layer * 13 - 1)
      << dispatches[0] << " -> " << dispatches[1];
  ExpectSameLogitsBitForBit(**files);
}

INSTANTIATE_TEST_SUITE_P(
    FixtureModels, FusionTest,
    ::testing::Values(Case{"models/tiny-llama3", false}, Case{"models/tiny-qwen2", true},
                      Case{"models/tiny-qwen3", false}, Case{"gguf/tiny-llama2-Q4_K_M.gguf", false},
                      Case{"gguf/tiny-qwen2-Q8_0.gguf", true},
                      Case{"arch/tiny-gemma2-Q8_0.gguf", false},
                      Case{"arch/tiny-qwen2moe-Q8_0.gguf", true, true}),
    [](const auto& info) { return ::hfd::vk::testing::PathTestName(info.param.path); });

}  // namespace
}  // namespace hfd::vk
