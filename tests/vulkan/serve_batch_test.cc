// Serving on the Vulkan backend (lavapipe) with max_concurrency 2: the slots are sequences
// of one SharedBatch (serve/resident_model.cc), so two requests decode in the same forward
// calls; each still gets the text it gets alone.
#include <gtest/gtest.h>

#include "backends/vulkan/instance.h"
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

}  // namespace
}  // namespace hfd::serve::testing
