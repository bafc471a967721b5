// Generate's log-probabilities on the Vulkan backend (lavapipe): greedy decode reads the
// on-device top-logits graph, checked against FeedAll's logits.
#include <gtest/gtest.h>

#include "backends/vulkan/vulkan_backend.h"
#include "tests/cpu/generator_logprobs.h"
#include "tests/support/fixtures.h"
#include "tests/vulkan/vk_test_env.h"

namespace hfd::vk {
namespace {

TEST(VulkanGeneratorLogprobs, MatchLogSoftmaxOfTheLogits) {
  HFD_REQUIRE_FIXTURES(fixtures);
  auto backend =
      CreateVulkanBackend({.device = ::hfd::vk::testing::TestDeviceName(), .validation = true});
  ASSERT_TRUE(backend.ok()) << backend.status().ToString();
  ::hfd::testing::CheckGeneratorLogprobs(**backend, fixtures / "gguf/tiny-llama3-Q8_0.gguf");
}

}  // namespace
}  // namespace hfd::vk
