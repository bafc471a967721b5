// Runs with VK_ICD_FILENAMES pointing at a file that does not exist: Vulkan must report
// why it cannot be used instead of failing hard.
#include <gtest/gtest.h>

#include "backends/vulkan/probe.h"
#include "backends/vulkan/vulkan_backend.h"

namespace hfd::vk {
namespace {

TEST(FallbackTest, NoDriverGivesAReasonNotACrash) {
  VulkanProbe probe = ProbeVulkan();
  EXPECT_TRUE(probe.devices.empty());
  EXPECT_EQ(probe.reason.rfind("no Vulkan device: ", 0), 0u) << probe.reason;
}

// What `--backend auto` does: try Vulkan, and on failure show the reason and use the CPU.
TEST(FallbackTest, CreatingTheBackendFailsWithTheReason) {
  auto backend = CreateVulkanBackend({});
  ASSERT_FALSE(backend.ok());
  EXPECT_EQ(backend.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(backend.status().message().find("no Vulkan device"), std::string::npos)
      << backend.status().message();
}

}  // namespace
}  // namespace hfd::vk
