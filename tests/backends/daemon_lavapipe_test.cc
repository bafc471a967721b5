// hfd on a machine whose only Vulkan device is lavapipe: `auto` reports the CPU with the
// reason, `--backend vulkan` reports lavapipe, and both list the device.
#include <gtest/gtest.h>

#include "tests/backends/daemon_status.h"
#include "tests/daemon/harness.h"

namespace hfd::testing {
namespace {

TEST(DaemonOnLavapipe, AutoReportsTheCpuAndListsLavapipe) {
  DaemonFixture daemon;
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  const nlohmann::json status = SettledStatus(daemon.socket());
  const nlohmann::json cpu = BackendEntry(status, "cpu");
  const nlohmann::json vulkan = BackendEntry(status, "vulkan");
  ASSERT_TRUE(cpu.is_object() && vulkan.is_object()) << status.dump();
  EXPECT_EQ(cpu["selected"], true);
  EXPECT_EQ(cpu.value("detail", "").rfind("auto: only a CPU Vulkan device (llvmpipe", 0), 0u)
      << cpu.dump();
  EXPECT_EQ(vulkan["available"], true) << vulkan.dump();
  EXPECT_EQ(vulkan["selected"], false);
  ASSERT_EQ(vulkan["devices"].size(), 1u) << vulkan.dump();
  const nlohmann::json& device = vulkan["devices"][0];
  EXPECT_EQ(device["type"], "cpu");
  EXPECT_EQ(device["usable"], true);
  EXPECT_GT(device.value("memory_bytes", uint64_t{0}), 0u);
  EXPECT_NE(device.value("name", "").find("llvmpipe"), std::string::npos);
}

TEST(DaemonOnLavapipe, BackendVulkanReportsLavapipe) {
  DaemonFixture daemon({"--backend", "vulkan"});
  ASSERT_TRUE(daemon.started()) << daemon.Log();
  const nlohmann::json status = SettledStatus(daemon.socket());
  const nlohmann::json vulkan = BackendEntry(status, "vulkan");
  EXPECT_EQ(vulkan["selected"], true) << status.dump();
  EXPECT_EQ(vulkan.value("detail", "").rfind("vulkan: llvmpipe", 0), 0u) << vulkan.dump();
  EXPECT_NE(vulkan.value("device", "").find("llvmpipe"), std::string::npos) << vulkan.dump();
}

}  // namespace
}  // namespace hfd::testing
