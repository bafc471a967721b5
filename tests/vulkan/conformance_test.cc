// The fixture models on the Vulkan backend (lavapipe) against the CPU backend and
// transformers' reference: prompt logits at every position, teacher-forced top-1 agreement,
// and greedy decoding through the on-device argmax graph; the low-bit mixes of
// tests/cpu/testdata/lowbit against the CPU. Runs under the validation layer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "backends/cpu/cpu_backend.h"
#include "backends/vulkan/instance.h"
#include "backends/vulkan/vulkan_backend.h"
#include "engine/model/model_files.h"
#include "engine/runtime/session.h"
#include "tests/support/fixtures.h"
#include "tests/support/gguf_copy.h"
#include "tests/support/llamacpp_reference.h"
#include "tests/vulkan/vk_test_env.h"

namespace hfd::vk {
namespace {

struct Case {
  const char* path;       // under the fixtures directory
  const char* reference;  // model name in transformers.json
  bool float_weights;     // compare logits with transformers too
  int32_t batch;          // prefill batch (>= 8 exercises the tiled matmul kernel)
};

// Float weights: both backends compute the same float math in different orders.
constexpr double kFloatTolerance = 1e-2;
// Quantized weights: the CPU backend quantizes activations to 8 bits for its integer dot
// products, which moves logits of magnitude ~15 by up to ~0.35 on these models.
constexpr double kQuantTolerance = 0.5;
// The low-bit mixes against the CPU with finer activations: logits of magnitude ~15 to 20
// agree to float rounding through two layers (measured: up to 0.008 on lavapipe).
constexpr double kLowBitTolerance = 0.03;
// Prompts of transformers.json per model and greedy steps compared (lavapipe is slow).
constexpr size_t kPrompts = 2;
constexpr int kGreedySteps = 8;

double TopTwoGap(std::span<const float> row) {
  std::vector<float> v(row.begin(), row.end());
  std::partial_sort(v.begin(), v.begin() + 2, v.end(), std::greater<float>());
  return double(v[0]) - v[1];
}

int32_t Argmax(std::span<const float> row) {
  return static_cast<int32_t>(std::max_element(row.begin(), row.end()) - row.begin());
}

// Greedy on the CPU from `ids`, then prompt + those tokens teacher-forced through both
// backends: every logit within `tol`, the same top-1 wherever the CPU's top two are more
// than 2 * tol apart, and the device's own greedy tokens equal to the CPU's up to the first
// such near-tie. Returns the device's logits of the forced tokens.
std::vector<float> ExpectSameGreedyAndLogits(runtime::Session& cs, runtime::Session& gs,
                                             const std::vector<int32_t>& ids, double tol,
                                             const std::string& what) {
  const int64_t vocab = gs.n_vocab();
  EXPECT_TRUE(cs.Rewind(0).ok());
  auto first = cs.Feed(ids);
  EXPECT_TRUE(first.ok());
  if (!first.ok()) return {};
  std::vector<int32_t> cpu_greedy = {Argmax(*first)};
  for (int i = 1; i < kGreedySteps; ++i) {
    auto next = cs.FeedGreedy(cpu_greedy.back());
    EXPECT_TRUE(next.ok());
    if (!next.ok()) return {};
    cpu_greedy.push_back(*next);
  }
  std::vector<int32_t> forced = ids;
  forced.insert(forced.end(), cpu_greedy.begin(), cpu_greedy.end() - 1);
  EXPECT_TRUE(cs.Rewind(0).ok());
  EXPECT_TRUE(gs.Rewind(0).ok());
  auto want = cs.FeedAll(forced);
  auto got = gs.FeedAll(forced);
  EXPECT_TRUE(want.ok()) << want.status().ToString();
  EXPECT_TRUE(got.ok()) << got.status().ToString();
  if (!want.ok() || !got.ok()) return {};
  size_t agree_until = forced.size();  // first position whose top-1 is a near-tie
  for (size_t p = 0; p < forced.size(); ++p) {
    std::span<const float> w(want->data() + p * vocab, vocab);
    std::span<const float> g(got->data() + p * vocab, vocab);
    double worst = 0;
    for (int64_t i = 0; i < vocab; ++i) worst = std::max(worst, std::fabs(double(w[i]) - g[i]));
    EXPECT_LT(worst, tol) << what << " position " << p;
    if (TopTwoGap(w) > 2 * tol) {
      EXPECT_EQ(Argmax(g), Argmax(w)) << what << " position " << p;
    } else {
      agree_until = std::min(agree_until, p);
    }
  }
  // Greedy on the device: prefill, then the recorded one-token argmax graph.
  EXPECT_TRUE(gs.Rewind(0).ok());
  auto logits = gs.Feed(ids);
  EXPECT_TRUE(logits.ok());
  if (!logits.ok()) return *got;
  std::vector<int32_t> gpu_greedy = {Argmax(*logits)};
  for (size_t i = 1; i < cpu_greedy.size(); ++i) {
    auto next = gs.FeedGreedy(gpu_greedy.back());
    EXPECT_TRUE(next.ok()) << next.status().ToString();
    if (!next.ok()) break;
    gpu_greedy.push_back(*next);
  }
  const size_t comparable = agree_until >= ids.size() ? agree_until - ids.size() + 1 : 0;
  for (size_t i = 0; i < std::min(comparable, gpu_greedy.size()); ++i) {
    EXPECT_EQ(gpu_greedy[i], cpu_greedy[i]) << what << " greedy step " << i;
  }
  return *got;
}

class VulkanConformance : public ::testing::TestWithParam<Case> {};

TEST_P(VulkanConformance, MatchesCpuBackendAndReference) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const Case& c = GetParam();
  const nlohmann::json ref = nlohmann::json::parse(
      ::hfd::testing::ReadFileOrFail(fixtures / "reference/transformers.json"))[c.reference];
  auto files = model::OpenModelFiles(fixtures / c.path);
  ASSERT_TRUE(files.ok()) << files.status().ToString();

  auto gpu =
      CreateVulkanBackend({.device = ::hfd::vk::testing::TestDeviceName(), .validation = true});
  ASSERT_TRUE(gpu.ok()) << gpu.status().ToString();
  auto cpu = cpu::CreateCpuBackend({});
  ASSERT_TRUE((*gpu)->LoadWeights(**files).ok());
  ASSERT_TRUE(cpu->LoadWeights(**files).ok());
  // 512 positions: decode calls split attention into parts (Kernels::AttentionParts).
  const runtime::SessionOptions opts{.n_ctx = 512, .prefill_batch = c.batch};
  auto gs = runtime::Session::Create(**gpu, **files, opts);
  auto cs = runtime::Session::Create(*cpu, **files, opts);
  ASSERT_TRUE(gs.ok()) << gs.status().ToString();
  ASSERT_TRUE(cs.ok()) << cs.status().ToString();
  const double tol = c.float_weights ? kFloatTolerance : kQuantTolerance;
  const int64_t vocab = (*gs)->n_vocab();

  for (size_t pi = 0; pi < std::min(kPrompts, ref["prompts"].size()); ++pi) {
    const auto& prompt = ref["prompts"][pi];
    const auto ids = prompt["input_ids"].get<std::vector<int32_t>>();
    const std::vector<float> got = ExpectSameGreedyAndLogits(**cs, **gs, ids, tol, c.path);
    if (c.float_weights) {
      for (size_t p = 0; p < ids.size(); ++p) {
        const auto top_ids = prompt["prefill_top5_ids"][p].get<std::vector<int32_t>>();
        const auto top_logits = prompt["prefill_top5_logits"][p].get<std::vector<double>>();
        for (size_t k = 0; k < top_ids.size(); ++k) {
          EXPECT_NEAR(got[p * vocab + top_ids[k]], top_logits[k], kFloatTolerance)
              << c.path << " position " << p << " rank " << k;
        }
      }
    }
  }
  // Unload: sessions (caches, executables) first, then the backend; the validation layer
  // reports any object still alive at vkDestroyDevice.
  gs->reset();
  gpu->reset();
  for (const std::string& m : ProcessValidationMessages()) ADD_FAILURE() << "validation " << m;
}

// A model file on the test device and on the CPU with its activations quantized to about
// 14 bits: float math on the same weights, so the device, which reads its activations as
// floats, must match it closely. Members go in reverse order: sessions first.
struct DeviceAndCpu {
  std::unique_ptr<model::ModelFiles> files;
  std::unique_ptr<runtime::Backend> gpu, cpu;
  std::unique_ptr<runtime::Session> gs, cs;
};

void OpenOnDeviceAndCpu(const std::filesystem::path& path, DeviceAndCpu* m,
                        runtime::KvType kv = runtime::KvType::kF16) {
  auto files = model::OpenModelFiles(path);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  m->files = std::move(files).value();
  auto gpu =
      CreateVulkanBackend({.device = ::hfd::vk::testing::TestDeviceName(), .validation = true});
  ASSERT_TRUE(gpu.ok()) << gpu.status().ToString();
  m->gpu = std::move(gpu).value();
  m->cpu = cpu::CreateCpuBackend({.activations = cpu::ActPrecision::kInt8x2});
  ASSERT_TRUE(m->cpu->LoadWeights(*m->files).ok());
  const Status loaded = m->gpu->LoadWeights(*m->files);
  ASSERT_TRUE(loaded.ok()) << loaded.ToString();
  const runtime::SessionOptions opts{.n_ctx = 128, .prefill_batch = 8, .kv_type = kv};
  auto cs = runtime::Session::Create(*m->cpu, *m->files, opts);
  ASSERT_TRUE(cs.ok()) << cs.status().ToString();
  m->cs = std::move(cs).value();
  auto gs = runtime::Session::Create(*m->gpu, *m->files, opts);
  ASSERT_TRUE(gs.ok()) << gs.status().ToString();
  m->gs = std::move(gs).value();
}

// The low-bit mixes of tests/cpu/testdata/lowbit (Q2_K, Q3_K, IQ4_XS, IQ3_S weights beside
// Q4_K, Q5_K, Q6_K) on both backends.
TEST(VulkanBackendTest, LowBitMixesMatchCpuBackend) {
  const std::filesystem::path dir = HFD_LOWBIT_TESTDATA;
  const auto cases =
      ::hfd::testing::ParseLlamaCpp(::hfd::testing::ReadFileOrFail(dir / "llama.cpp.txt"));
  ASSERT_FALSE(cases.empty());
  for (const char* name : {"tiny-lowbit-Q3_K_M.gguf", "tiny-lowbit-Q2_K.gguf",
                           "tiny-lowbit-IQ4_XS.gguf", "tiny-lowbit-IQ3_S.gguf"}) {
    SCOPED_TRACE(name);
    DeviceAndCpu m;
    ASSERT_NO_FATAL_FAILURE(OpenOnDeviceAndCpu(dir / name, &m));
    for (const auto& c : cases) {
      if (c.file == name) {
        ExpectSameGreedyAndLogits(*m.cs, *m.gs, c.ids, kLowBitTolerance, c.file + " | " + c.prompt);
      }
    }
  }
  for (const std::string& m : ProcessValidationMessages()) ADD_FAILURE() << "validation " << m;
}

// tiny-gemma2-F32 with YaRN RoPE scaling (tests/support/gguf_copy.h) on the device
// against the CPU, on the long prompt of testdata/rope_scaling, past the original context
// of 16 (the CPU test holds the CPU to llama.cpp on it). YaRN has all the rope kernels'
// scaling but dynamic NTK, which the op test covers; one prompt keeps lavapipe's time low.
TEST(VulkanBackendTest, RopeScaledModelMatchesCpuBackend) {
  HFD_REQUIRE_FIXTURES(fixtures);
  ::hfd::testing::TempDir dir;
  const Status written = ::hfd::testing::WriteRopeScaledGemma2(fixtures, dir.path());
  ASSERT_TRUE(written.ok()) << written.ToString();
  const auto cases = ::hfd::testing::ParseLlamaCpp(::hfd::testing::ReadFileOrFail(
      std::filesystem::path(HFD_ROPE_SCALING_TESTDATA) / "llama.cpp.txt"));
  ASSERT_EQ(cases.size(), 4u);
  const ::hfd::testing::LlamaCppCase& c = cases[3];
  ASSERT_EQ(c.file, "tiny-gemma2-yarn-F32.gguf");
  DeviceAndCpu m;
  ASSERT_NO_FATAL_FAILURE(OpenOnDeviceAndCpu(dir.path() / c.file, &m));
  ExpectSameGreedyAndLogits(*m.cs, *m.gs, c.ids, kLowBitTolerance, c.file + " | " + c.prompt);
  for (const std::string& v : ProcessValidationMessages()) ADD_FAILURE() << "validation " << v;
}

// Files whose weights the F32 references read as hfd does: the F32 ones, and tiny-gptoss
// (F32 but for its MXFP4 experts, which the numpy reference decodes exactly).
bool MatchesF32Reference(const std::string& name) {
  return name.ends_with("-F32.gguf") || name == "tiny-gptoss.gguf";
}

// The fixtures/arch models hfd runs (tests/cpu/llamacpp_conformance_test.cc's kArchStems)
// on the device against the CPU with finer activations, on llama.cpp's prompts
// (`dir`/llama.cpp-logits.json); the F32 files, with F32 KV caches, also teacher-forced on
// llama.cpp's greedy tokens against its F32-cache logits (`f32_reference`, recorded by
// tests/cpu/testdata/arch17/llamacpp_logits.py), within `f32_tolerance`. `prompts_file` in
// `dir` names the prompts when they are not llama.cpp's.
void ExpectArchModelsMatch(const std::filesystem::path& dir, const std::vector<std::string>& names,
                           const std::filesystem::path& f32_reference, double f32_tolerance,
                           const std::string& prompts_file = "llama.cpp-logits.json") {
  const nlohmann::json prompts =
      nlohmann::json::parse(::hfd::testing::ReadFileOrFail(dir / prompts_file));
  const nlohmann::json f32 = nlohmann::json::parse(::hfd::testing::ReadFileOrFail(f32_reference));
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const bool float_weights = MatchesF32Reference(name);
    DeviceAndCpu m;
    ASSERT_NO_FATAL_FAILURE(OpenOnDeviceAndCpu(
        dir / name, &m, float_weights ? runtime::KvType::kF32 : runtime::KvType::kF16));
    const int64_t vocab = m.gs->n_vocab();
    for (const auto& [prompt, c] : (float_weights ? f32 : prompts)[name].items()) {
      std::vector<int32_t> ids = c["prompt_ids"].get<std::vector<int32_t>>();
      ExpectSameGreedyAndLogits(*m.cs, *m.gs, ids, kLowBitTolerance, name + prompt);
      if (float_weights) {
        const size_t n_prompt = ids.size();
        const auto greedy = c["greedy_ids"].get<std::vector<int32_t>>();
        ids.insert(ids.end(), greedy.begin(), greedy.end() - 1);
        ASSERT_TRUE(m.gs->Rewind(0).ok());
        auto got = m.gs->FeedAll(ids);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        for (size_t i = 0; i < c["steps"].size(); ++i) {
          const auto& step = c["steps"][i];
          const auto top_ids = step["top5_ids"].get<std::vector<int32_t>>();
          const auto top_logits = step["top5_logits"].get<std::vector<double>>();
          for (size_t k = 0; k < top_ids.size(); ++k) {
            EXPECT_NEAR((*got)[(n_prompt - 1 + i) * vocab + top_ids[k]], top_logits[k],
                        f32_tolerance)
                << prompt << " step " << i << " rank " << k;
          }
        }
      }
    }
  }
  for (const std::string& m : ProcessValidationMessages()) ADD_FAILURE() << "validation " << m;
}

// The CPU test's bounds for F32 weights: the 1e-3, and 2e-3 for tiny-gemma2, whose
// 1.5e-3 from llama.cpp is llama.cpp's own rounding (its F16 GELU table; see
// tests/cpu/llamacpp_conformance_test.cc).
constexpr double kF32LogitTolerance = 1e-3;
constexpr double kGemma2F32LogitTolerance = 2e-3;

TEST(VulkanBackendTest, ArchModelsMatchCpuBackendAndLlamaCpp) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const std::filesystem::path reference =
      std::filesystem::path(HFD_ARCH17_TESTDATA) / "llama.cpp-logits-arch.json";
  ExpectArchModelsMatch(fixtures / "arch", {"tiny-gemma2-F32.gguf", "tiny-gemma2-Q4_K_M.gguf"},
                        reference, kGemma2F32LogitTolerance);
  ExpectArchModelsMatch(fixtures / "arch", {"tiny-phi3-F32.gguf", "tiny-phi3-Q4_K_M.gguf"},
                        reference, kF32LogitTolerance);
}

// The granite, olmo2 and Nemo-shaped llama models of tests/cpu/testdata/arch17 the same
// way.
TEST(VulkanBackendTest, GraniteOlmo2NemoMatchCpuBackendAndLlamaCpp) {
  const std::filesystem::path dir = HFD_ARCH17_TESTDATA;
  ExpectArchModelsMatch(dir,
                        {"tiny-granite-F32.gguf", "tiny-granite-Q8_0.gguf", "tiny-olmo2-F32.gguf",
                         "tiny-olmo2-Q8_0.gguf", "tiny-nemo-F32.gguf", "tiny-nemo-Q8_0.gguf"},
                        dir / "llama.cpp-logits.json", kF32LogitTolerance);
}

// The mixture-of-experts models: tiny-mixtral and tiny-qwen2moe (fixtures/arch, Qwen2-MoE
// with its shared expert and gate) against the CPU and llama.cpp's F32-cache logits, the
// quantized files through the quantized expert kernels; tiny-qwen3moe (tests/cpu/testdata/moe)
// against the numpy reference, and tiny-gptoss (the same directory: attention sinks, a window
// of 4 on layer 0, YaRN, the clamped SwiGLU, per-expert biases, MXFP4 experts) against its
// numpy reference. Prompts shorter than a prefill batch take the decode (route-indexed)
// kernels, the teacher-forced batches of 8 the grouped tiled ones.
TEST(VulkanBackendTest, MoeModelsMatchCpuBackendAndReferences) {
  HFD_REQUIRE_FIXTURES(fixtures);
  ExpectArchModelsMatch(fixtures / "arch",
                        {"tiny-mixtral-F32.gguf", "tiny-mixtral-Q4_K_M.gguf",
                         "tiny-qwen2moe-F32.gguf", "tiny-qwen2moe-Q8_0.gguf"},
                        std::filesystem::path(HFD_ARCH17_TESTDATA) / "llama.cpp-logits-arch.json",
                        kF32LogitTolerance);
  const std::filesystem::path moe = HFD_MOE_TESTDATA;
  ExpectArchModelsMatch(moe, {"tiny-qwen3moe-F32.gguf"}, moe / "reference-logits.json",
                        kF32LogitTolerance, "reference-logits.json");
  ExpectArchModelsMatch(moe, {"tiny-gptoss.gguf"}, moe / "gptoss-reference-logits.json",
                        kF32LogitTolerance, "gptoss-reference-logits.json");
}

// The tiny gemma3 of tests/cpu/testdata/gemma3 the same way, against the numpy reference
// (reference-logits.json): its local layers' own RoPE base, q/k norms and the window on five
// layers in six. F32 weights run with an F32 KV cache, as on the CPU.
TEST(VulkanBackendTest, Gemma3MatchesCpuBackendAndNumpyReference) {
  const std::filesystem::path dir = HFD_GEMMA3_TESTDATA;
  ExpectArchModelsMatch(dir, {"tiny-gemma3-F32.gguf", "tiny-gemma3-Q8_0.gguf"},
                        dir / "reference-logits.json", kF32LogitTolerance, "reference-logits.json");
}

TEST(VulkanBackendTest, RefusesAModelThatDoesNotFitWithTheSizes) {
  HFD_REQUIRE_FIXTURES(fixtures);
  auto files = model::OpenModelFiles(fixtures / "gguf/tiny-qwen2-Q8_0.gguf");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  auto gpu = CreateVulkanBackend(
      {.device = ::hfd::vk::testing::TestDeviceName(), .memory_budget_bytes = 1 << 20});
  ASSERT_TRUE(gpu.ok()) << gpu.status().ToString();
  EXPECT_EQ((*gpu)->name(), "vulkan");
  Status st = (*gpu)->LoadWeights(**files);
  EXPECT_EQ(st.code(), ErrorCode::kOutOfMemory);
  EXPECT_NE(st.message().find("a cap of 1.0 MiB"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("CPU backend"), std::string::npos) << st.message();
}

INSTANTIATE_TEST_SUITE_P(
    FixtureModels, VulkanConformance,
    ::testing::Values(Case{"models/tiny-llama2", "tiny-llama2", true, 4},
                      Case{"models/tiny-llama3", "tiny-llama3", true, 16},
                      Case{"models/tiny-qwen2", "tiny-qwen2", true, 4},
                      Case{"models/tiny-qwen3", "tiny-qwen3", true, 4},
                      Case{"gguf/tiny-llama2-Q4_K_M.gguf", "tiny-llama2", false, 4},
                      Case{"gguf/tiny-llama3-Q8_0.gguf", "tiny-llama3", false, 16},
                      Case{"gguf/tiny-qwen2-Q8_0.gguf", "tiny-qwen2", false, 4}),
    [](const auto& info) { return ::hfd::vk::testing::PathTestName(info.param.path); });

}  // namespace
}  // namespace hfd::vk
