// Runs with VK_ICD_FILENAMES / VK_DRIVER_FILES naming a file that does not exist: Vulkan
// cannot start, and selection must say so instead of crashing.
#include <gtest/gtest.h>

#include "backends/select/backend_plan.h"
#include "backends/select/backend_select.h"

namespace hfd::backends {
namespace {

TEST(NoIcdTest, SurveyReportsNoDeviceWithoutFailing) {
  VulkanSurvey survey = SurveyVulkan();
  EXPECT_TRUE(survey.devices.empty());
}

TEST(NoIcdTest, AutoRunsOnTheCpuAndSaysWhy) {
  auto chosen = SelectBackend(BackendRequest{.kind = BackendKind::kAuto});
  ASSERT_TRUE(chosen.ok()) << chosen.status().ToString();
  ASSERT_NE(chosen->backend, nullptr);
  EXPECT_EQ(chosen->backend->name(), "cpu");
  RecordProperty("reason", chosen->reason);
  EXPECT_EQ(chosen->reason.rfind("auto: ", 0), 0u) << chosen->reason;
  EXPECT_NE(chosen->reason.find("Vulkan"), std::string::npos) << chosen->reason;
  EXPECT_NE(chosen->reason.find("; using CPU"), std::string::npos) << chosen->reason;
}

TEST(NoIcdTest, VulkanIsUnavailableAndSaysWhatToInstall) {
  auto chosen = SelectBackend(BackendRequest{.kind = BackendKind::kVulkan});
  ASSERT_FALSE(chosen.ok());
  EXPECT_EQ(chosen.status().code(), ErrorCode::kUnavailable);
  RecordProperty("error", chosen.status().message());
  EXPECT_NE(chosen.status().message().find("mesa-vulkan-drivers"), std::string::npos)
      << chosen.status().message();
}

TEST(NoIcdTest, CpuNeedsNoVulkan) {
  auto chosen = SelectBackend(BackendRequest{.kind = BackendKind::kCpu, .cpu_threads = 1});
  ASSERT_TRUE(chosen.ok()) << chosen.status().ToString();
  EXPECT_EQ(chosen->backend->name(), "cpu");
}

}  // namespace
}  // namespace hfd::backends
