// hfd started where Vulkan has no driver (VK_ICD_FILENAMES / VK_DRIVER_FILES name a file
// that does not exist): it serves, and `status` says it uses the CPU and why Vulkan is
// unavailable.
#include <gtest/gtest.h>

#include "tests/backends/daemon_status.h"
#include "tests/daemon/harness.h"

namespace hfd::testing {
namespace {

TEST(DaemonWithoutVulkan, StatusReportsTheCpuAndWhyVulkanIsUnavailable) {
  DaemonFixture daemon;
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  const nlohmann::json status = SettledStatus(daemon.socket());
  const nlohmann::json cpu = BackendEntry(status, "cpu");
  const nlohmann::json vulkan = BackendEntry(status, "vulkan");
  ASSERT_TRUE(cpu.is_object()) << status.dump();
  ASSERT_TRUE(vulkan.is_object()) << status.dump();

  EXPECT_EQ(cpu["available"], true);
  EXPECT_EQ(cpu["selected"], true);
  const std::string reason = cpu.value("detail", "");
  EXPECT_EQ(reason.rfind("auto: Vulkan unavailable: no Vulkan driver (ICD) found", 0), 0u)
      << reason;
  EXPECT_NE(reason.find("; using CPU"), std::string::npos) << reason;

  EXPECT_EQ(vulkan["available"], false);
  EXPECT_EQ(vulkan["selected"], false);
  EXPECT_EQ(vulkan["devices"], nlohmann::json::array());
  EXPECT_NE(vulkan.value("detail", "").find("mesa-vulkan-drivers"), std::string::npos)
      << vulkan.dump();

  EXPECT_NE(daemon.Log().find("backend for new models: auto: Vulkan unavailable"),
            std::string::npos)
      << daemon.Log();
}

TEST(DaemonWithoutVulkan, BackendCpuDoesNotProbeVulkan) {
  DaemonFixture daemon({"--backend", "cpu"});
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  const nlohmann::json status = SettledStatus(daemon.socket());
  EXPECT_EQ(BackendEntry(status, "cpu")["selected"], true) << status.dump();
  EXPECT_EQ(BackendEntry(status, "cpu")["detail"], "cpu: requested") << status.dump();
  EXPECT_EQ(BackendEntry(status, "vulkan")["detail"], "not probed (backend = cpu)")
      << status.dump();
}

TEST(DaemonWithoutVulkan, BackendVulkanStillServesAndSaysWhatToInstall) {
  DaemonFixture daemon({"--backend", "vulkan"});
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  const nlohmann::json status = SettledStatus(daemon.socket());
  const nlohmann::json vulkan = BackendEntry(status, "vulkan");
  EXPECT_EQ(BackendEntry(status, "cpu")["selected"], false) << status.dump();
  EXPECT_EQ(vulkan["selected"], false) << status.dump();
  EXPECT_NE(vulkan.value("detail", "").find("install"), std::string::npos) << status.dump();
}

}  // namespace
}  // namespace hfd::testing
