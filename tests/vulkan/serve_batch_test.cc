// Serving on the Vulkan backend (lavapipe) with max_concurrency 2: the slots are sequences
// of one SharedBatch (serve/resident_model.cc), so two requests decode in the same forward
// calls; each still gets the text it gets alone. The KV pool fits the device's memory
// beside the weights, not only the host's.
#include <gtest/gtest.h>

#include "backends/vulkan/instance.h"
#include "backends/vulkan/vulkan_backend.h"
#include "engine/model/model_files.h"
#include "serve/memory_estimate.h"
#include "tests/serve/serve_test_env.h"
#include "tests/vulkan/vk_test_env.h"

namespace hfd::serve::testing {
namespace {

TEST(VulkanServe, TwoSlotsDecodeTogetherWithTheTextsOfEachAlone) {
  ManagerOptions options = TestManagerOptions();
  options.backend.kind = backends::BackendKind::kVulkan;
  options.backend.device = ::hfd::vk::testing::TestDeviceName();
  {
    ModelManager manager(options, nullptr);
    LoadRequest load = TestLoad(TestModelPath());
    load.options.max_concurrency = 2;
    Result<std::shared_ptr<ResidentModel>> model = manager.Acquire(load);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    EXPECT_EQ((*model)->Info().backend, "vulkan");
    const std::string prompts[] = {"the first prompt", "a second, longer prompt than that"};
    std::string alone[2];
    for (int i = 0; i < 2; ++i) {
      TestJob job = MakeJob(prompts[i], 12);
      ASSERT_TRUE((*model)->Submit(job.job).ok());
      Result<JobResult> r = Await(job);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      alone[i] = r->run.result.text;
    }
    Gate gate_a, gate_b;
    TestJob a = MakeJob(prompts[0], 12, &gate_a);
    TestJob b = MakeJob(prompts[1], 12, &gate_b);
    ASSERT_TRUE((*model)->Submit(a.job).ok());
    ASSERT_TRUE((*model)->Submit(b.job).ok());
    ASSERT_TRUE(gate_a.WaitArrived());
    ASSERT_TRUE(gate_b.WaitArrived());
    EXPECT_EQ((*model)->Info().running, 2);
    gate_a.Open();
    gate_b.Open();
    Result<JobResult> ra = Await(a), rb = Await(b);
    ASSERT_TRUE(ra.ok() && rb.ok());
    EXPECT_EQ(ra->run.result.text, alone[0]);
    EXPECT_EQ(rb->run.result.text, alone[1]);
    EXPECT_EQ(ra->run.result.tokens.size(), 12u);
  }
  for (const std::string& m : vk::ProcessValidationMessages()) ADD_FAILURE() << "validation " << m;
}

// The device memory the test model's weights take on the test device.
int64_t WeightsOnDevice(const model::ModelFiles& files) {
  constexpr uint64_t kPlenty = uint64_t{1} << 40;
  auto backend = vk::CreateVulkanBackend(
      {.device = ::hfd::vk::testing::TestDeviceName(), .memory_budget_bytes = kPlenty});
  if (!backend.ok() || !(*backend)->LoadWeights(files).ok()) return -1;
  return static_cast<int64_t>(kPlenty) - (*backend)->device_memory_left().value_or(0);
}

TEST(VulkanServe, TheKvPoolFitsTheDeviceMemoryBesideTheWeights) {
  constexpr int32_t kSlots = 4;
  constexpr int32_t kCtx = 128;
  auto files = model::OpenModelFiles(TestModelPath());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  const int64_t weights = WeightsOnDevice(**files);
  ASSERT_GT(weights, 0);
  ManagerOptions options = TestManagerOptions();
  options.backend.kind = backends::BackendKind::kVulkan;
  options.backend.device = ::hfd::vk::testing::TestDeviceName();
  const MemoryEstimate e = EstimateMemory(**files, kCtx, options.prefill_batch);
  const auto device_with_kv = [&](int64_t positions) {
    return static_cast<uint64_t>(weights + kSlots * e.activation_bytes_per_slot +
                                 positions * e.kv_bytes_per_position);
  };
  LoadRequest load = TestLoad(TestModelPath());
  load.options.ctx = kCtx;
  load.options.max_concurrency = kSlots;
  {
    // The host would hold every slot's context (512 positions); the device holds 300.
    options.backend.vulkan_memory_bytes = device_with_kv(300);
    ModelManager manager(options, nullptr);
    Result<std::shared_ptr<ResidentModel>> model = manager.Acquire(load);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    const ResidentInfo info = (*model)->Info();
    EXPECT_EQ(info.backend, "vulkan");
    EXPECT_EQ(info.kv_blocks_total, 18) << "288 positions in whole blocks";
    EXPECT_NE(info.kv_pool_reason.find("lowered from 512 to 288 positions"), std::string::npos)
        << info.kv_pool_reason;
    TestJob job = MakeJob("a prompt", 8);
    ASSERT_TRUE((*model)->Submit(job.job).ok());
    Result<JobResult> done = Await(job);
    ASSERT_TRUE(done.ok()) << done.status().ToString();
    EXPECT_EQ(done->run.result.tokens.size(), 8u);
  }
  {
    // Not one whole context: the load fails saying why (a named backend does not fall back).
    options.backend.vulkan_memory_bytes = device_with_kv(100);
    ModelManager manager(options, nullptr);
    Result<std::shared_ptr<ResidentModel>> model = manager.Acquire(load);
    ASSERT_FALSE(model.ok());
    EXPECT_EQ(model.status().code(), ErrorCode::kOutOfMemory);
    EXPECT_NE(model.status().message().find("one whole context"), std::string::npos)
        << model.status().message();
  }
  for (const std::string& m : vk::ProcessValidationMessages()) ADD_FAILURE() << "validation " << m;
}

}  // namespace
}  // namespace hfd::serve::testing
