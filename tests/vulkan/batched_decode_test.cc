// Continuous batching on the Vulkan backend (lavapipe): eight sequences with different
// prompts and lengths, joining and leaving at different steps, run together one forward
// call per step (RunParams::seqs: the paged shader variants read positions and block
// tables from the call's parameters), against each sequence alone through a Session on
// the same device, and against the CPU backend's batched run of the same schedule.
//
// Not bit for bit: the shaders are not batch-invariant. A call of 8 or more tokens runs
// its matmuls on the tiled kernel and fewer on the matrix-vector one
// (Kernels::UsesMatVec), whose sums are ordered differently, and attention splits the keys
// of calls of few tokens (Kernels::AttentionParts), so a sequence's logits depend on how
// many tokens share its call. The batched runs are therefore teacher-forced with the
// tokens the alone run picked greedily: every logit within a bound, and the same top-1
// wherever the reference's top two are further apart than twice the bound.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "backends/vulkan/instance.h"
#include "backends/vulkan/vulkan_backend.h"
#include "engine/model/synthetic_gguf.h"
#include "engine/runtime/sequence_batch.h"
#include "engine/runtime/session.h"
#include "tests/cpu/model_harness.h"
#include "tests/support/fixtures.h"
#include "tests/vulkan/vk_test_env.h"

namespace hfd::vk {
namespace {

using ::hfd::testing::ArgmaxOf;
using ::hfd::testing::TopTwoGap;
using runtime::SequenceBatch;

// Batched against alone on the device: the same float math in another order (measured on
// lavapipe: at most 2e-4 on these models' logits of magnitude ~10; about half the rows
// are bit for bit equal, those whose calls took the same kernels).
constexpr double kAloneTolerance = 1e-3;
// The device against the CPU with activations quantized to about 14 bits, as
// conformance_test's low-bit comparison (measured: at most 0.007).
constexpr double kCpuTolerance = 0.03;

struct Plan {
  int prompt_len;
  int generate;  // logits rows after the prompt and after each forced token
  int join;      // the step whose call carries the prompt
};

// Few rows: lavapipe's output head costs tens of milliseconds per row.
constexpr Plan kPlans[] = {{3, 3, 0}, {17, 2, 0}, {5, 5, 1},  {33, 2, 2},
                           {9, 4, 2}, {1, 6, 4},  {24, 2, 5}, {12, 3, 7}};

// One sequence's rows (each n_vocab logits) and the tokens fed after its prompt.
struct Run {
  std::vector<std::vector<float>> rows;
  std::vector<int32_t> forced;
};

// Each sequence alone on `session` (rewound between them), greedy after its prompt.
std::vector<Run> RunAlone(runtime::Session& session,
                          const std::vector<std::vector<int32_t>>& prompts) {
  std::vector<Run> runs(prompts.size());
  for (size_t i = 0; i < prompts.size(); ++i) {
    EXPECT_TRUE(session.Rewind(0).ok());
    Result<std::span<const float>> logits = session.Feed(prompts[i]);
    for (int k = 0; k < kPlans[i].generate; ++k) {
      EXPECT_TRUE(logits.ok()) << logits.status().ToString();
      if (!logits.ok()) return runs;
      runs[i].rows.emplace_back(logits->begin(), logits->end());
      if (k + 1 == kPlans[i].generate) break;
      runs[i].forced.push_back(ArgmaxOf(runs[i].rows.back()));
      logits = session.Feed(std::span<const int32_t>(&runs[i].forced.back(), 1));
    }
  }
  return runs;
}

// The schedule of kPlans through one SequenceBatch on `backend`, each sequence fed its
// prompt, then the `forced` tokens of `alone`, one per step. `step` runs one call and
// returns a row per feed (n_vocab logits each, or one id when greedy).
std::vector<Run> RunBatched(runtime::Backend& backend, const model::ModelFiles& files,
                            const std::vector<std::vector<int32_t>>& prompts,
                            const std::vector<Run>& alone, bool greedy) {
  const int64_t vocab = files.desc().n_vocab;
  std::vector<Run> runs(prompts.size());
  auto batch = SequenceBatch::Create(
      backend, files, {.n_ctx = 512, .block_size = 16, .n_blocks = 32, .max_step_tokens = 128});
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  if (!batch.ok()) return runs;
  SequenceBatch& b = **batch;
  struct Running {
    size_t plan;
    SequenceBatch::SeqId id;
  };
  std::vector<Running> running;
  size_t finished = 0;
  for (int step = 0; finished < std::size(kPlans) && step < 100; ++step) {
    for (size_t i = 0; i < std::size(kPlans); ++i) {
      if (kPlans[i].join == step) running.push_back({i, b.Open()});
    }
    if (running.empty()) continue;
    std::vector<SequenceBatch::Feed> feeds;
    feeds.reserve(running.size());
    for (const Running& r : running) {
      const size_t done = runs[r.plan].rows.size();
      feeds.push_back({r.id, done == 0
                                 ? std::span<const int32_t>(prompts[r.plan])
                                 : std::span<const int32_t>(&alone[r.plan].forced[done - 1], 1)});
    }
    if (greedy) {
      auto ids = b.StepGreedy(feeds);
      EXPECT_TRUE(ids.ok()) << "step " << step << ": " << ids.status().ToString();
      if (!ids.ok()) return runs;
      for (size_t k = 0; k < running.size(); ++k) {
        runs[running[k].plan].rows.push_back({static_cast<float>((*ids)[k])});
      }
    } else {
      auto logits = b.Step(feeds);
      EXPECT_TRUE(logits.ok()) << "step " << step << ": " << logits.status().ToString();
      if (!logits.ok()) return runs;
      EXPECT_EQ(logits->size(), running.size() * vocab);
      for (size_t k = 0; k < running.size(); ++k) {
        const auto row = logits->subspan(k * vocab, vocab);
        runs[running[k].plan].rows.emplace_back(row.begin(), row.end());
      }
    }
    std::erase_if(running, [&](const Running& r) {
      if (static_cast<int>(runs[r.plan].rows.size()) < kPlans[r.plan].generate) return false;
      b.Close(r.id);
      ++finished;
      return true;
    });
  }
  EXPECT_EQ(finished, std::size(kPlans)) << "the schedule does not end";
  EXPECT_EQ(b.pool().free_blocks(), b.pool().n_blocks()) << "closing gives every block back";
  return runs;
}

// Every row of `got` within `tol` of `want`'s, with the same top-1 where want's top two
// are more than 2 * tol apart.
struct Closeness {
  int identical = 0;  // rows bit for bit equal
  double worst = 0;   // the largest logit difference
};
Closeness ExpectClose(const std::vector<Run>& got, const std::vector<Run>& want, double tol,
                      const char* what) {
  Closeness c;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].rows.size(), want[i].rows.size()) << what << " sequence " << i;
    for (size_t k = 0; k < std::min(got[i].rows.size(), want[i].rows.size()); ++k) {
      const std::vector<float>& g = got[i].rows[k];
      const std::vector<float>& w = want[i].rows[k];
      EXPECT_EQ(g.size(), w.size());
      if (g.size() != w.size()) continue;
      double worst = 0;
      for (size_t v = 0; v < w.size(); ++v) worst = std::max(worst, std::fabs(double(g[v]) - w[v]));
      EXPECT_LE(worst, tol) << what << " sequence " << i << " row " << k;
      if (TopTwoGap(w) > 2 * tol) {
        EXPECT_EQ(ArgmaxOf(g), ArgmaxOf(w)) << what << " sequence " << i << " row " << k;
      }
      c.identical += worst == 0 ? 1 : 0;
      c.worst = std::max(c.worst, worst);
    }
  }
  return c;
}

std::unique_ptr<runtime::Backend> DeviceBackend(const model::ModelFiles& files, bool fuse) {
  auto gpu = CreateVulkanBackend(
      {.device = ::hfd::vk::testing::TestDeviceName(), .validation = true, .fuse_ops = fuse});
  EXPECT_TRUE(gpu.ok()) << gpu.status().ToString();
  if (!gpu.ok()) return nullptr;
  const Status loaded = (*gpu)->LoadWeights(files);
  EXPECT_TRUE(loaded.ok()) << loaded.ToString();
  return loaded.ok() ? std::move(gpu).value() : nullptr;
}

// `more` adds the on-device argmax graph (StepGreedy) and the unfused kernels (the paged
// rope and kv_store instead of rope_kv_store) on the same schedule.
void ExpectBatchedMatches(const std::filesystem::path& path, bool more) {
  SCOPED_TRACE(path.filename().string());
  ::hfd::testing::LoadedModel cpu = ::hfd::testing::LoadOnCpu(path, 2, cpu::ActPrecision::kInt8x2);
  ASSERT_NE(cpu.files, nullptr);
  const model::ModelFiles& files = *cpu.files;
  std::unique_ptr<runtime::Backend> gpu = DeviceBackend(files, true);
  ASSERT_NE(gpu, nullptr);
  std::vector<std::vector<int32_t>> prompts;
  for (size_t i = 0; i < std::size(kPlans); ++i) {
    prompts.push_back(model::RandomTokens(kPlans[i].prompt_len, files.desc().n_vocab, 100 + i));
  }
  std::vector<Run> alone;
  {
    auto session = runtime::Session::Create(*gpu, files, {.n_ctx = 512, .prefill_batch = 16});
    ASSERT_TRUE(session.ok()) << session.status().ToString();
    alone = RunAlone(**session, prompts);
  }
  const std::vector<Run> batched = RunBatched(*gpu, files, prompts, alone, false);
  const Closeness vs_alone = ExpectClose(batched, alone, kAloneTolerance, "batched vs alone");
  ::testing::Test::RecordProperty("rows_bit_identical_to_alone", vs_alone.identical);
  ::testing::Test::RecordProperty("worst_vs_alone", std::to_string(vs_alone.worst));
  const Closeness vs_cpu = ExpectClose(RunBatched(*cpu.backend, files, prompts, alone, false),
                                       batched, kCpuTolerance, "device vs CPU batched");
  ::testing::Test::RecordProperty("worst_vs_cpu", std::to_string(vs_cpu.worst));
  if (more) {
    // The on-device argmax of each sequence's row: the same calls, so the same logits.
    const std::vector<Run> greedy = RunBatched(*gpu, files, prompts, alone, true);
    for (size_t i = 0; i < batched.size(); ++i) {
      ASSERT_EQ(greedy[i].rows.size(), batched[i].rows.size());
      for (size_t k = 0; k < batched[i].rows.size(); ++k) {
        EXPECT_EQ(static_cast<int32_t>(greedy[i].rows[k][0]), ArgmaxOf(batched[i].rows[k]))
            << "sequence " << i << " row " << k;
      }
    }
    gpu.reset();
    // Fusion changes no logit bit (vulkan_fusion_test), so alone stays the reference.
    gpu = DeviceBackend(files, false);
    ASSERT_NE(gpu, nullptr);
    const Closeness unfused = ExpectClose(RunBatched(*gpu, files, prompts, alone, false), alone,
                                          kAloneTolerance, "unfused batched vs alone");
    ::testing::Test::RecordProperty("worst_unfused_vs_alone", std::to_string(unfused.worst));
  }
  gpu.reset();
  for (const std::string& m : ProcessValidationMessages()) ADD_FAILURE() << "validation " << m;
}

TEST(VulkanBatchedDecodeTest, BatchedMatchesAloneAndCpuLlamaQ4KM) {
  HFD_REQUIRE_FIXTURES(fixtures);
  ExpectBatchedMatches(fixtures / "gguf/tiny-llama2-Q4_K_M.gguf", false);
}

TEST(VulkanBatchedDecodeTest, BatchedMatchesAloneAndCpuQwen2Q8GreedyAndUnfused) {
  HFD_REQUIRE_FIXTURES(fixtures);
  ExpectBatchedMatches(fixtures / "gguf/tiny-qwen2-Q8_0.gguf", true);
}

// gpt-oss: the paged attention with sinks (whole, and split with the merge's sinks), the
// sliding window and the experts' biases in multi-sequence calls, fused and unfused.
TEST(VulkanBatchedDecodeTest, BatchedMatchesAloneAndCpuGptOssSinks) {
  ExpectBatchedMatches(std::filesystem::path(HFD_MOE_TESTDATA) / "tiny-gptoss.gguf", true);
}

}  // namespace
}  // namespace hfd::vk
