// The selection policy over made-up device lists: every mix of GPUs, lavapipe and broken
// installations that no test machine has.
#include "backends/select/backend_plan.h"

#include <gtest/gtest.h>

#include "backends/select/backend_select.h"

namespace hfd::backends {
namespace {

VulkanDeviceSummary Device(uint32_t index, std::string name, std::string type,
                           std::string unusable = "") {
  return VulkanDeviceSummary{.index = index,
                             .name = std::move(name),
                             .type = std::move(type),
                             .driver = "test",
                             .memory_bytes = 1ull << 30,
                             .max_allocation_bytes = 1ull << 30,
                             .usable = unusable.empty(),
                             .unusable_reason = std::move(unusable)};
}

const VulkanDeviceSummary kLavapipe = Device(0, "llvmpipe (LLVM 15.0.6, 256 bits)", "cpu");
const VulkanDeviceSummary kIntegrated = Device(1, "AMD Radeon Graphics (RADV)", "integrated");
const VulkanDeviceSummary kDiscrete = Device(2, "NVIDIA H100 80GB HBM3", "discrete");

BackendPlan Plan(BackendKind kind, std::vector<VulkanDeviceSummary> devices,
                 std::string device = "") {
  auto plan = PlanBackend(BackendRequest{.kind = kind, .device = std::move(device)},
                          VulkanSurvey{.error = "", .devices = std::move(devices)});
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? *plan : BackendPlan{};
}

Status PlanError(BackendKind kind, VulkanSurvey survey, std::string device = "") {
  auto plan = PlanBackend(BackendRequest{.kind = kind, .device = std::move(device)}, survey);
  EXPECT_FALSE(plan.ok()) << plan->reason;
  return plan.ok() ? Status::Ok() : plan.status();
}

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }
bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TEST(ParseBackendKindTest, KnowsTheThreeNamesAndListsThemOtherwise) {
  for (BackendKind k : {BackendKind::kAuto, BackendKind::kVulkan, BackendKind::kCpu}) {
    auto parsed = ParseBackendKind(BackendKindName(k));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, k);
  }
  auto bad = ParseBackendKind("gpu");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("auto, vulkan or cpu"), std::string::npos);
}

TEST(BackendPlanTest, AutoPrefersDiscreteThenIntegratedAndNeverLavapipe) {
  BackendPlan p = Plan(BackendKind::kAuto, {kLavapipe, kIntegrated, kDiscrete});
  EXPECT_EQ(p.kind, BackendKind::kVulkan);
  EXPECT_EQ(p.device_index, 2u);
  EXPECT_EQ(p.reason, "auto: NVIDIA H100 80GB HBM3 (discrete GPU)");

  p = Plan(BackendKind::kAuto, {kLavapipe, kIntegrated});
  EXPECT_EQ(p.kind, BackendKind::kVulkan);
  EXPECT_EQ(p.device_index, 1u);
  EXPECT_EQ(p.reason, "auto: AMD Radeon Graphics (RADV) (integrated GPU)");
}

TEST(BackendPlanTest, AutoWithOnlyLavapipeUsesTheCpuAndSaysWhy) {
  BackendPlan p = Plan(BackendKind::kAuto, {kLavapipe});
  EXPECT_EQ(p.kind, BackendKind::kCpu);
  EXPECT_TRUE(StartsWith(p.reason, "auto: only a CPU Vulkan device (llvmpipe")) << p.reason;
  EXPECT_TRUE(EndsWith(p.reason, "; using CPU")) << p.reason;
}

TEST(BackendPlanTest, AutoNamesGpusItCannotUse) {
  BackendPlan p =
      Plan(BackendKind::kAuto, {kLavapipe, Device(1, "Old GPU", "discrete", "needs Vulkan 1.2")});
  EXPECT_EQ(p.kind, BackendKind::kCpu);
  EXPECT_NE(p.reason.find("'Old GPU': needs Vulkan 1.2"), std::string::npos) << p.reason;

  p = Plan(BackendKind::kAuto, {Device(0, "Old GPU", "discrete", "no shaderInt16")});
  EXPECT_EQ(p.kind, BackendKind::kCpu);
  EXPECT_EQ(p.reason, "auto: no usable Vulkan device ('Old GPU': no shaderInt16); using CPU");
}

TEST(BackendPlanTest, AutoFallsBackWhenVulkanIsMissingOrBroken) {
  BackendPlan p = Plan(BackendKind::kAuto, {});
  EXPECT_EQ(p.kind, BackendKind::kCpu);
  EXPECT_EQ(p.reason, "auto: no Vulkan device (the loader found no driver/ICD); using CPU");

  auto broken = PlanBackend(BackendRequest{.kind = BackendKind::kAuto},
                            VulkanSurvey{.error = "vkCreateInstance failed", .devices = {}});
  ASSERT_TRUE(broken.ok());
  EXPECT_EQ(broken->kind, BackendKind::kCpu);
  EXPECT_EQ(broken->reason, "auto: Vulkan unavailable: vkCreateInstance failed; using CPU");
}

TEST(BackendPlanTest, AutoHonoursANamedGpuButNotANamedCpuDevice) {
  BackendPlan p = Plan(BackendKind::kAuto, {kLavapipe, kIntegrated, kDiscrete}, "radeon");
  EXPECT_EQ(p.kind, BackendKind::kVulkan);
  EXPECT_EQ(p.device_index, 1u);

  p = Plan(BackendKind::kAuto, {kLavapipe, kDiscrete}, "llvmpipe");
  EXPECT_EQ(p.kind, BackendKind::kCpu);
  EXPECT_NE(p.reason.find("is a CPU Vulkan device"), std::string::npos) << p.reason;
  EXPECT_NE(p.reason.find("--backend vulkan"), std::string::npos) << p.reason;

  p = Plan(BackendKind::kAuto, {kLavapipe, kDiscrete}, "7");
  EXPECT_EQ(p.kind, BackendKind::kCpu);
  EXPECT_NE(p.reason.find("no Vulkan device matches '7'"), std::string::npos) << p.reason;
}

TEST(BackendPlanTest, VulkanTakesTheBestDeviceIncludingLavapipe) {
  BackendPlan p = Plan(BackendKind::kVulkan, {kLavapipe});
  EXPECT_EQ(p.kind, BackendKind::kVulkan);
  EXPECT_EQ(p.device_index, 0u);
  EXPECT_EQ(p.reason, "vulkan: llvmpipe (LLVM 15.0.6, 256 bits) (CPU device)");

  p = Plan(BackendKind::kVulkan, {kLavapipe, kDiscrete});
  EXPECT_EQ(p.device_index, 2u);
}

TEST(BackendPlanTest, VulkanPicksANamedDeviceByIndexOrName) {
  EXPECT_EQ(Plan(BackendKind::kVulkan, {kLavapipe, kDiscrete}, "0").device_index, 0u);
  EXPECT_EQ(Plan(BackendKind::kVulkan, {kLavapipe, kDiscrete}, "H100").device_index, 2u);
  EXPECT_EQ(Plan(BackendKind::kVulkan, {kLavapipe, kDiscrete}, "LLVMpipe").device_index, 0u);
}

TEST(BackendPlanTest, VulkanRefusesWithWhatIsMissingAndWhatToDo) {
  Status none = PlanError(BackendKind::kVulkan, VulkanSurvey{});
  EXPECT_EQ(none.code(), ErrorCode::kUnavailable);
  EXPECT_NE(none.message().find("no driver (ICD)"), std::string::npos) << none.message();
  EXPECT_NE(none.message().find("mesa-vulkan-drivers"), std::string::npos) << none.message();

  Status broken = PlanError(BackendKind::kVulkan, VulkanSurvey{.error = "boom", .devices = {}});
  EXPECT_EQ(broken.code(), ErrorCode::kUnavailable);
  EXPECT_NE(broken.message().find("(boom)"), std::string::npos) << broken.message();
  EXPECT_NE(broken.message().find("install"), std::string::npos) << broken.message();

  Status unmatched =
      PlanError(BackendKind::kVulkan, VulkanSurvey{.error = "", .devices = {kLavapipe}}, "h100");
  EXPECT_EQ(unmatched.code(), ErrorCode::kUnavailable);
  EXPECT_NE(unmatched.message().find("0 'llvmpipe (LLVM 15.0.6, 256 bits)' (cpu)"),
            std::string::npos)
      << unmatched.message();

  Status unusable = PlanError(
      BackendKind::kVulkan,
      VulkanSurvey{.error = "", .devices = {Device(0, "Old GPU", "discrete", "no shaderInt16")}});
  EXPECT_NE(unusable.message().find("'Old GPU': no shaderInt16"), std::string::npos)
      << unusable.message();
}

TEST(BackendPlanTest, CpuIgnoresVulkanEntirely) {
  auto p = PlanBackend(BackendRequest{.kind = BackendKind::kCpu},
                       VulkanSurvey{.error = "broken", .devices = {}});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->kind, BackendKind::kCpu);
  EXPECT_EQ(p->reason, "cpu: requested");
}

}  // namespace
}  // namespace hfd::backends
