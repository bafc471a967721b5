// Shared fixture for the Vulkan tests: a validation-enabled instance on lavapipe (the test
// environment points the loader at Mesa's CPU driver), a device, and helpers to move
// floats in and out of buffers. TearDown destroys everything and fails the test on any
// validation message, which includes objects leaked past vkDestroyDevice.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "backends/vulkan/buffer.h"
#include "backends/vulkan/device.h"
#include "backends/vulkan/instance.h"
#include "backends/vulkan/kernels.h"

namespace hfd::vk::testing {

class VulkanTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Releases the device (and all objects the test registered through Own*) now.
  void DestroyDevice();

  Buffer Upload(const std::vector<float>& data);
  Buffer UploadBytes(const void* data, uint64_t bytes);
  Buffer Zeros(uint64_t floats);
  std::vector<float> Download(const Buffer& b, uint64_t floats);
  std::vector<int32_t> DownloadInts(const Buffer& b, uint64_t n);
  // A host-visible params block {pos, n_tokens, tokens...}.
  Buffer Params(uint32_t pos, const std::vector<int32_t>& tokens);

  std::unique_ptr<Instance> instance_;
  std::unique_ptr<Device> device_;
  std::unique_ptr<Transfer> transfer_;
  std::unique_ptr<Kernels> kernels_;
};

// The device the tests run on: $HFD_VK_TEST_DEVICE (a name substring or index, e.g. "0"
// on a GPU machine), else lavapipe ("llvmpipe").
std::string TestDeviceName();

// A fixture path ("gguf/tiny-qwen2-Q8_0.gguf") as a gtest parameter name.
std::string PathTestName(std::string path);

// Random floats in [-1, 1) from a fixed seed.
std::vector<float> RandomFloats(size_t n, uint32_t seed);

// Largest |a[i] - b[i]| relative to max(1, |b[i]|).
double MaxRelError(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace hfd::vk::testing
