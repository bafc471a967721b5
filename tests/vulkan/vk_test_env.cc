#include "tests/vulkan/vk_test_env.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>

#include "backends/vulkan/probe.h"

namespace hfd::vk::testing {

void VulkanTest::SetUp() {
  auto instance = Instance::Create(InstanceOptions{.validation = true});
  ASSERT_TRUE(instance.ok()) << instance.status().ToString();
  instance_ = std::move(*instance);
  auto devices = EnumerateDevices(*instance_);
  ASSERT_TRUE(devices.ok()) << devices.status().ToString();
  // lavapipe is never chosen automatically; tests ask for it by name.
  auto info = SelectDevice(*devices, SelectOptions{.device = TestDeviceName()});
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  auto device = Device::Create(*instance_, *info);
  ASSERT_TRUE(device.ok()) << device.status().ToString();
  device_ = std::move(*device);
  auto transfer = Transfer::Create(*device_, 1 << 20);
  ASSERT_TRUE(transfer.ok()) << transfer.status().ToString();
  transfer_ = std::make_unique<Transfer>(std::move(*transfer));
  kernels_ = std::make_unique<Kernels>(*device_);
}

void VulkanTest::DestroyDevice() {
  kernels_.reset();
  transfer_.reset();
  device_.reset();
}

void VulkanTest::TearDown() {
  DestroyDevice();
  if (instance_ == nullptr) return;
  EXPECT_TRUE(instance_->validation_enabled())
      << "VK_LAYER_KHRONOS_validation is not installed (vulkan-validationlayers)";
  for (const std::string& m : instance_->messages()) ADD_FAILURE() << "validation " << m;
  instance_.reset();
}

Buffer VulkanTest::UploadBytes(const void* data, uint64_t bytes) {
  auto b = Buffer::Create(*device_, bytes, MemoryUse::kDeviceLocal);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  if (!b.ok()) return Buffer();
  Status st = transfer_->Upload(*b, 0, data, bytes);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return std::move(*b);
}

Buffer VulkanTest::Upload(const std::vector<float>& data) {
  return UploadBytes(data.data(), data.size() * sizeof(float));
}

Buffer VulkanTest::Zeros(uint64_t floats) { return Upload(std::vector<float>(floats, 0.0f)); }

std::vector<float> VulkanTest::Download(const Buffer& b, uint64_t floats) {
  std::vector<float> out(floats);
  Status st = transfer_->Download(b, 0, out.data(), floats * sizeof(float));
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

std::vector<int32_t> VulkanTest::DownloadInts(const Buffer& b, uint64_t n) {
  std::vector<int32_t> out(n);
  Status st = transfer_->Download(b, 0, out.data(), n * sizeof(int32_t));
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

Buffer VulkanTest::Params(uint32_t pos, const std::vector<int32_t>& tokens) {
  std::vector<uint32_t> words = {pos, static_cast<uint32_t>(tokens.size())};
  for (int32_t t : tokens) words.push_back(static_cast<uint32_t>(t));
  auto b = Buffer::Create(*device_, words.size() * 4, MemoryUse::kHostVisible);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  if (!b.ok()) return Buffer();
  std::memcpy(b->mapped(), words.data(), words.size() * 4);
  return std::move(*b);
}

std::string TestDeviceName() {
  const char* env = std::getenv("HFD_VK_TEST_DEVICE");
  return env != nullptr && *env != '\0' ? env : "llvmpipe";
}

std::vector<float> RandomFloats(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

double MaxRelError(const std::vector<float>& a, const std::vector<float>& b) {
  double worst = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    const double err = std::fabs(double(a[i]) - b[i]) / std::max(1.0, std::fabs(double(b[i])));
    worst = std::max(worst, std::isnan(err) ? 1e30 : err);
  }
  return worst;
}

std::string PathTestName(std::string path) {
  for (char& ch : path) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return path;
}

}  // namespace hfd::vk::testing
