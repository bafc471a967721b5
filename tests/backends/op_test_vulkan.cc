// The op test's Vulkan half (see op_test.cc): every case on every Vulkan device present
// (lavapipe in CI), under the validation layer, against the scalar CPU path with finer
// activations (the device reads its activations as floats). Ops and types a device has no
// kernels for must be refused.
#include <gtest/gtest.h>

#include <string>

#include "backends/vulkan/instance.h"
#include "backends/vulkan/probe.h"
#include "backends/vulkan/vulkan_backend.h"
#include "tests/backends/op_harness.h"

namespace hfd::testing {
namespace {

TEST(VulkanOpTest, EveryDeviceMatchesTheScalarCpuPath) {
  {
    auto instance = vk::Instance::Create({.validation = true});
    ASSERT_TRUE(instance.ok()) << instance.status().ToString();
    ASSERT_TRUE((*instance)->validation_enabled())
        << "VK_LAYER_KHRONOS_validation is not installed (vulkan-validationlayers)";
  }
  const vk::VulkanProbe probe = vk::ProbeVulkan();
  int usable = 0;
  for (const vk::DeviceInfo& info : probe.devices) {
    if (!info.usable) {
      std::cout << "[ op test ] skipping " << vk::DescribeDevice(info) << ": "
                << info.unusable_reason << "\n";
      continue;
    }
    ++usable;
    auto backend =
        vk::CreateVulkanBackend({.device = std::to_string(info.index), .validation = true});
    ASSERT_TRUE(backend.ok()) << backend.status().ToString();
    std::unique_ptr<MemoryModelFiles> files = WeightsFor(**backend);
    const Status loaded = (*backend)->LoadWeights(*files);
    ASSERT_TRUE(loaded.ok()) << loaded.ToString();
    CheckPath(**backend, "vulkan " + info.name, [](size_t i) {
      const Result<std::vector<double>>& scalar = ScalarOutput(i, cpu::ActPrecision::kInt8x2);
      return Baseline{scalar.ok() ? &*scalar : nullptr, AllOpCases()[i].tol.fine};
    });
  }
  EXPECT_GT(usable, 0) << "no usable Vulkan device: " << probe.reason;
  for (const std::string& m : vk::ProcessValidationMessages()) ADD_FAILURE() << "validation " << m;
}

}  // namespace
}  // namespace hfd::testing
