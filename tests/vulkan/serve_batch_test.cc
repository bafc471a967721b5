// Serving on the Vulkan backend (lavapipe) with max_concurrency 2: the slots are sequences
// of one SharedBatch (serve/resident_model.cc), so two requests decode in the same forward
// calls; each still gets the text it gets alone. The KV pool fits the device's memory
// beside the weights, not only the host's, and beside every other model on the device;
// `auto` puts a model the device's cap cannot take on the CPU, saying why.
#include <gtest/gtest.h>

#include "backends/vulkan/instance.h"
#include "backends/vulkan/vulkan_backend.h"
#include "engine/model/model_files.h"
#include "serve/backend_choice.h"
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

std::unique_ptr<runtime::Backend> VulkanWithCap(uint64_t cap) {
  auto backend = vk::CreateVulkanBackend(
      {.device = ::hfd::vk::testing::TestDeviceName(), .memory_budget_bytes = cap});
  EXPECT_TRUE(backend.ok()) << backend.status().ToString();
  return backend.ok() ? std::move(backend).value() : nullptr;
}

std::unique_ptr<model::ModelFiles> Open(const std::filesystem::path& path) {
  auto files = model::OpenModelFiles(path);
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  return files.ok() ? std::move(files).value() : nullptr;
}

// The device memory a model's weights take on the test device, alone.
int64_t WeightsOnDevice(const model::ModelFiles& files) {
  constexpr uint64_t kPlenty = uint64_t{1} << 40;
  std::unique_ptr<runtime::Backend> backend = VulkanWithCap(kPlenty);
  if (backend == nullptr || !backend->LoadWeights(files).ok()) return -1;
  return static_cast<int64_t>(kPlenty) - backend->device_memory_left().value_or(0);
}

// A request of 8 tokens runs to its end on `model`.
void ExpectServes(ResidentModel& model) {
  TestJob job = MakeJob("a prompt", 8);
  ASSERT_TRUE(model.Submit(job.job).ok());
  Result<JobResult> done = Await(job);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->run.result.tokens.size(), 8u);
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
    ExpectServes(**model);
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

// Every model on one GPU draws on one cap (vulkan_max_memory, else 90% of the device's
// memory): a second model sees what the first holds when it sizes its weights and KV pool.
TEST(VulkanServe, ModelsOnOneDeviceShareItsCap) {
  std::unique_ptr<model::ModelFiles> files = Open(TestModelPath());
  ASSERT_NE(files, nullptr);
  const int64_t weights = WeightsOnDevice(*files);
  ASSERT_GT(weights, 0);
  // Room for the weights once and a half: the second model's do not fit beside the first's.
  const uint64_t cap = static_cast<uint64_t>(weights) * 3 / 2;
  std::unique_ptr<runtime::Backend> first = VulkanWithCap(cap);
  std::unique_ptr<runtime::Backend> second = VulkanWithCap(cap);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->device_memory_left(), static_cast<int64_t>(cap));
  ASSERT_TRUE(first->LoadWeights(*files).ok());
  EXPECT_EQ(second->device_memory_left(), static_cast<int64_t>(cap) - weights)
      << "the second backend sees the first's weights";
  Status refused = second->LoadWeights(*files);
  EXPECT_EQ(refused.code(), ErrorCode::kOutOfMemory) << refused.ToString();
  EXPECT_NE(refused.message().find("held by other loaded models"), std::string::npos)
      << refused.message();
  EXPECT_NE(refused.message().find("vulkan_max_memory"), std::string::npos) << refused.message();
  first.reset();
  EXPECT_EQ(second->device_memory_left(), static_cast<int64_t>(cap))
      << "an unloaded model gives its memory back";
  EXPECT_TRUE(second->LoadWeights(*files).ok());
  for (const std::string& m : vk::ProcessValidationMessages()) ADD_FAILURE() << "validation " << m;
}

TEST(VulkanServe, ASecondModelsKvPoolFitsBesideTheFirstModel) {
  constexpr int32_t kSlots = 4;
  constexpr int32_t kCtx = 128;
  std::unique_ptr<model::ModelFiles> first_files = Open(OtherTestModelPath());
  std::unique_ptr<model::ModelFiles> files = Open(TestModelPath());
  ASSERT_NE(first_files, nullptr);
  ASSERT_NE(files, nullptr);
  const int64_t first_weights = WeightsOnDevice(*first_files);
  const int64_t weights = WeightsOnDevice(*files);
  ASSERT_GT(first_weights, 0);
  ASSERT_GT(weights, 0);
  ManagerOptions options = TestManagerOptions();
  options.backend.kind = backends::BackendKind::kVulkan;
  options.backend.device = ::hfd::vk::testing::TestDeviceName();
  const MemoryEstimate e = EstimateMemory(*files, kCtx, options.prefill_batch);
  // Enough for the second model's whole pool (4 slots x 128 positions) beside the first
  // model's weights, but not beside its KV cache and activations too.
  options.backend.vulkan_memory_bytes =
      static_cast<uint64_t>(first_weights + weights + kSlots * e.activation_bytes_per_slot +
                            kSlots * kCtx * e.kv_bytes_per_position);
  ModelManager manager(options, nullptr);
  LoadRequest first_load = TestLoad(OtherTestModelPath());
  first_load.options.ctx = kCtx;
  Result<std::shared_ptr<ResidentModel>> first = manager.Acquire(first_load);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  LoadRequest load = TestLoad(TestModelPath());
  load.options.ctx = kCtx;
  load.options.max_concurrency = kSlots;
  Result<std::shared_ptr<ResidentModel>> model = manager.Acquire(load);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const ResidentInfo info = (*model)->Info();
  EXPECT_EQ(info.backend, "vulkan");
  EXPECT_LT(info.kv_blocks_total, kSlots * kCtx / 16) << "the first model's cache is counted";
  EXPECT_NE(info.kv_pool_reason.find("lowered from 512 to"), std::string::npos)
      << info.kv_pool_reason;
  ExpectServes(**model);
  for (const std::string& m : vk::ProcessValidationMessages()) ADD_FAILURE() << "validation " << m;
}

// `auto` never picks lavapipe by itself (the CPU backend is faster); given it as if it had,
// a model over the cap goes to the CPU with the reason.
TEST(VulkanServe, AutoPutsAModelOverTheCapOnTheCpuSayingWhy) {
  std::unique_ptr<model::ModelFiles> files = Open(TestModelPath());
  ASSERT_NE(files, nullptr);
  const int64_t weights = WeightsOnDevice(*files);
  ASSERT_GT(weights, 0);
  backends::BackendRequest request;
  request.kind = backends::BackendKind::kAuto;
  request.cpu_threads = 1;
  request.vulkan_memory_bytes = static_cast<uint64_t>(weights) / 2;
  backends::SelectedBackend selected{VulkanWithCap(request.vulkan_memory_bytes),
                                     "auto: the test's Vulkan device"};
  ASSERT_NE(selected.backend, nullptr);
  std::vector<std::string> tried;
  Result<std::string> reason = PrepareOnSelected(request, std::move(selected),
                                                 [&](std::unique_ptr<runtime::Backend> backend) {
                                                   tried.emplace_back(backend->name());
                                                   return backend->LoadWeights(*files);
                                                 });
  ASSERT_TRUE(reason.ok()) << reason.status().ToString();
  EXPECT_EQ(tried, (std::vector<std::string>{"vulkan", "cpu"}));
  EXPECT_NE(reason->find("could not take the model"), std::string::npos) << *reason;
  EXPECT_NE(reason->find("vulkan_max_memory"), std::string::npos) << *reason;
  EXPECT_NE(reason->find("using CPU"), std::string::npos) << *reason;
}

}  // namespace
}  // namespace hfd::serve::testing
