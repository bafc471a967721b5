// SelectBackend on a machine whose only Vulkan device is lavapipe (the test environment
// points the loader at it and turns on the validation layer): `vulkan` gives a working
// Vulkan backend that computes what the CPU computes, `auto` refuses lavapipe and says so,
// and unloading a model leaves no Vulkan object behind.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "backends/select/backend_select.h"
#include "backends/vulkan/device.h"
#include "backends/vulkan/instance.h"
#include "backends/vulkan/probe.h"
#include "engine/model/model_files.h"
#include "engine/runtime/session.h"
#include "tests/cpu/tiny_mistral.h"
#include "tests/support/fixtures.h"

namespace hfd::backends {
namespace {

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

SelectedBackend SelectOrFail(BackendKind kind, std::string device = "") {
  auto selected = SelectBackend(BackendRequest{.kind = kind, .device = std::move(device)});
  EXPECT_TRUE(selected.ok()) << selected.status().ToString();
  return selected.ok() ? std::move(*selected) : SelectedBackend{};
}

// A tiny random model on disk, opened once per test.
class SelectedBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::hfd::testing::TinyMistral(::hfd::testing::TinyMistralConfig{}, 7).WriteHfDir(dir_.path());
    auto files = model::OpenModelFiles(dir_.path());
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    files_ = std::move(*files);
  }

  // Logits after each of `tokens`, fed one call at a time, on `backend`.
  std::vector<std::vector<float>> Logits(runtime::Backend& backend,
                                         const std::vector<int32_t>& tokens,
                                         runtime::KvType kv = runtime::KvType::kF16) {
    std::vector<std::vector<float>> rows;
    Status loaded = backend.LoadWeights(*files_);
    EXPECT_TRUE(loaded.ok()) << loaded.ToString();
    if (!loaded.ok()) return rows;
    auto session = runtime::Session::Create(backend, *files_,
                                            {.n_ctx = 32, .prefill_batch = 4, .kv_type = kv});
    EXPECT_TRUE(session.ok()) << session.status().ToString();
    if (!session.ok()) return rows;
    for (int32_t t : tokens) {
      auto row = (*session)->Feed(std::span<const int32_t>(&t, 1));
      EXPECT_TRUE(row.ok()) << row.status().ToString();
      if (!row.ok()) break;
      rows.emplace_back(row->begin(), row->end());
    }
    return rows;
  }

  // Feeds the same tokens on both backends (a KV cache of `kv` on each): only the order
  // of float sums differs, so every logit agrees closely.
  void ExpectSameLogits(runtime::Backend& gpu, runtime::Backend& cpu, runtime::KvType kv) {
    const std::vector<int32_t> tokens = {1, 17, 42, 5, 88, 3};
    const auto on_gpu = Logits(gpu, tokens, kv);
    const auto on_cpu = Logits(cpu, tokens, kv);
    ASSERT_EQ(on_gpu.size(), tokens.size());
    ASSERT_EQ(on_cpu.size(), tokens.size());
    for (size_t i = 0; i < tokens.size(); ++i) {
      ASSERT_EQ(on_gpu[i].size(), on_cpu[i].size());
      double worst = 0;
      for (size_t j = 0; j < on_cpu[i].size(); ++j) {
        worst = std::max(worst, std::fabs(double(on_gpu[i][j]) - on_cpu[i][j]));
      }
      EXPECT_LT(worst, 1e-2) << "position " << i;
    }
  }

  ::hfd::testing::TempDir dir_;
  std::unique_ptr<model::ModelFiles> files_;
};

TEST_F(SelectedBackendTest, VulkanRunsOnLavapipeAndMatchesTheCpu) {
  SelectedBackend gpu = SelectOrFail(BackendKind::kVulkan);
  ASSERT_NE(gpu.backend, nullptr);
  EXPECT_EQ(gpu.backend->name(), "vulkan");
  EXPECT_TRUE(StartsWith(gpu.reason, "vulkan: llvmpipe")) << gpu.reason;
  SelectedBackend cpu = SelectOrFail(BackendKind::kCpu);
  ASSERT_NE(cpu.backend, nullptr);
  EXPECT_EQ(cpu.backend->name(), "cpu");
  EXPECT_EQ(cpu.reason, "cpu: requested");
  ExpectSameLogits(*gpu.backend, *cpu.backend, runtime::KvType::kF16);
}

TEST_F(SelectedBackendTest, VulkanWithAnF32KvCacheMatchesTheCpu) {
  SelectedBackend gpu = SelectOrFail(BackendKind::kVulkan);
  SelectedBackend cpu = SelectOrFail(BackendKind::kCpu);
  ASSERT_NE(gpu.backend, nullptr);
  ASSERT_NE(cpu.backend, nullptr);
  ExpectSameLogits(*gpu.backend, *cpu.backend, runtime::KvType::kF32);
}

// The check below can fail: the layer does report an object left alive at vkDestroyDevice.
TEST(ValidationLayerTest, ReportsAnObjectLeakedPastTheDevice) {
  auto instance = vk::Instance::Create(vk::InstanceOptions{.validation = true});
  ASSERT_TRUE(instance.ok()) << instance.status().ToString();
  ASSERT_TRUE((*instance)->validation_enabled())
      << "VK_LAYER_KHRONOS_validation is not installed (vulkan-validationlayers)";
  auto devices = vk::EnumerateDevices(**instance);
  ASSERT_TRUE(devices.ok()) << devices.status().ToString();
  auto info = vk::SelectDevice(*devices, vk::SelectOptions{.device = "llvmpipe"});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  auto device = vk::Device::Create(**instance, *info);
  ASSERT_TRUE(device.ok()) << device.status().ToString();
  VkBufferCreateInfo buffer_info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  buffer_info.size = 256;
  buffer_info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  VkBuffer leaked = VK_NULL_HANDLE;
  ASSERT_EQ(vkCreateBuffer((*device)->get(), &buffer_info, nullptr, &leaked), VK_SUCCESS);
  device->reset();
  const std::vector<std::string> messages = (*instance)->messages();
  EXPECT_TRUE(std::any_of(messages.begin(), messages.end(), [](const std::string& m) {
    return m.find("VkBuffer") != std::string::npos && m.find("destroyed") != std::string::npos;
  })) << "no leak reported";
}

TEST_F(SelectedBackendTest, UnloadingLeavesNoVulkanObjectBehind) {
  ASSERT_STREQ(std::getenv("HFD_VK_VALIDATION"), "1") << "run under the validation layer";
  const size_t messages_before = vk::ProcessValidationMessages().size();
  {
    SelectedBackend gpu = SelectOrFail(BackendKind::kVulkan, "llvmpipe");
    ASSERT_NE(gpu.backend, nullptr);
    EXPECT_EQ(Logits(*gpu.backend, {3, 4, 5, 6, 7}).size(), 5u);
    // Sessions (KV cache, compiled graphs) went with Logits; the backend goes here, and
    // the layer reports any buffer, pipeline or pool still alive at vkDestroyDevice.
  }
  const std::vector<std::string> messages = vk::ProcessValidationMessages();
  for (size_t i = messages_before; i < messages.size(); ++i) {
    ADD_FAILURE() << "validation " << messages[i];
  }
}

TEST(SelectBackendTest, AutoRefusesLavapipeAndUsesTheCpu) {
  SelectedBackend chosen = SelectOrFail(BackendKind::kAuto);
  ASSERT_NE(chosen.backend, nullptr);
  EXPECT_EQ(chosen.backend->name(), "cpu");
  EXPECT_TRUE(StartsWith(chosen.reason, "auto: only a CPU Vulkan device (llvmpipe"))
      << chosen.reason;
  EXPECT_NE(chosen.reason.find("; using CPU"), std::string::npos) << chosen.reason;

  chosen = SelectOrFail(BackendKind::kAuto, "llvmpipe");
  ASSERT_NE(chosen.backend, nullptr);
  EXPECT_EQ(chosen.backend->name(), "cpu");
  EXPECT_NE(chosen.reason.find("is a CPU Vulkan device"), std::string::npos) << chosen.reason;
}

TEST(SelectBackendTest, VulkanWithAnUnknownDeviceIsUnavailable) {
  auto chosen = SelectBackend(BackendRequest{.kind = BackendKind::kVulkan, .device = "H100"});
  ASSERT_FALSE(chosen.ok());
  EXPECT_EQ(chosen.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(chosen.status().message().find("no Vulkan device matches 'H100'"), std::string::npos)
      << chosen.status().message();
  EXPECT_NE(chosen.status().message().find("llvmpipe"), std::string::npos)
      << chosen.status().message();
}

}  // namespace
}  // namespace hfd::backends
