// Device discovery and selection, buffers and transfers, and command recording on lavapipe.
#include <gtest/gtest.h>

#include <cstring>

#include "backends/vulkan/command_stream.h"
#include "backends/vulkan/probe.h"
#include "backends/vulkan/tensor_buffer.h"
#include "tests/vulkan/vk_test_env.h"

namespace hfd::vk {
namespace {

using testing::RandomFloats;
using testing::VulkanTest;

DeviceInfo Fake(uint32_t index, const char* name, DeviceKind kind, bool usable = true) {
  DeviceInfo d;
  d.index = index;
  d.name = name;
  d.kind = kind;
  d.usable = usable;
  if (!usable) d.unusable_reason = "no storageBuffer16BitAccess";
  return d;
}

TEST(SelectDeviceTest, PrefersDiscreteThenIntegratedAndSkipsCpuUnlessAsked) {
  std::vector<DeviceInfo> devices = {Fake(0, "llvmpipe", DeviceKind::kCpu),
                                     Fake(1, "Intel UHD", DeviceKind::kIntegrated),
                                     Fake(2, "NVIDIA H100", DeviceKind::kDiscrete)};
  auto best = SelectDevice(devices, {});
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(best->name, "NVIDIA H100");
  devices.pop_back();
  best = SelectDevice(devices, {});
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(best->name, "Intel UHD");
  devices.pop_back();
  best = SelectDevice(devices, {});
  ASSERT_FALSE(best.ok());
  EXPECT_EQ(best.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(best.status().message().find("no Vulkan device"), std::string::npos);
  EXPECT_NE(best.status().message().find("CPU implementation"), std::string::npos);
  best = SelectDevice(devices, {.device = "", .allow_cpu_device = true});
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(best->name, "llvmpipe");
}

TEST(SelectDeviceTest, ByIndexOrNameAndExplainsUnusableDevices) {
  std::vector<DeviceInfo> devices = {Fake(0, "Old GPU", DeviceKind::kDiscrete, false),
                                     Fake(1, "llvmpipe (LLVM 15)", DeviceKind::kCpu)};
  auto by_name = SelectDevice(devices, {.device = "LLVMPIPE"});
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ(by_name->index, 1u);
  auto by_index = SelectDevice(devices, {.device = "1"});
  ASSERT_TRUE(by_index.ok());
  EXPECT_EQ(by_index->name, "llvmpipe (LLVM 15)");
  auto unusable = SelectDevice(devices, {.device = "0"});
  ASSERT_FALSE(unusable.ok());
  EXPECT_NE(unusable.status().message().find("storageBuffer16BitAccess"), std::string::npos);
  auto missing = SelectDevice(devices, {.device = "radeon"});
  EXPECT_FALSE(missing.ok());
  auto none = SelectDevice({}, {});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no Vulkan device"), std::string::npos);
}

TEST(ProbeTest, FindsLavapipeButDoesNotChooseItAutomatically) {
  VulkanProbe probe = ProbeVulkan();
  const DeviceInfo* lavapipe = nullptr;
  for (const DeviceInfo& d : probe.devices) {
    if (d.name.find("llvmpipe") != std::string::npos) lavapipe = &d;
  }
  ASSERT_NE(lavapipe, nullptr) << probe.reason;
  EXPECT_EQ(lavapipe->kind, DeviceKind::kCpu);
  EXPECT_TRUE(lavapipe->usable) << lavapipe->unusable_reason;
  EXPECT_GT(lavapipe->max_storage_buffer_range, 0u);
  EXPECT_GT(lavapipe->subgroup_size, 0u);
  // The test environment exposes only lavapipe, so automatic selection finds no GPU.
  EXPECT_NE(probe.reason.find("no Vulkan device"), std::string::npos) << probe.reason;
  EXPECT_NE(DescribeDevice(*lavapipe).find("cpu"), std::string::npos);
}

using BufferTest = VulkanTest;

TEST_F(BufferTest, ChunkedUploadAndDownloadRoundTrip) {
  // 3.5 staging chunks (the fixture's staging buffer is 1 MiB).
  std::vector<float> data = RandomFloats((7 << 20) / 8, 1);
  Buffer b = Upload(data);
  EXPECT_EQ(Download(b, data.size()), data);
}

TEST_F(BufferTest, RefusesBuffersAboveTheDeviceLimit) {
  auto b = Buffer::Create(*device_, device_->max_buffer_bytes() + 1, MemoryUse::kDeviceLocal);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), ErrorCode::kTooLarge);
  EXPECT_FALSE(Buffer::Create(*device_, 0, MemoryUse::kDeviceLocal).ok());
}

TEST_F(BufferTest, SplitsTensorsByRowsAtTheChunkLimit) {
  // 37 rows of 64 floats (256 bytes each) in chunks of at most 10 rows.
  std::vector<float> data = RandomFloats(37 * 64, 2);
  auto t = DeviceTensor::Upload(*device_, *transfer_, TensorType::kF32, 64, 37, data.data(),
                                10 * 256 + 100);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->chunks().size(), 4u);
  EXPECT_EQ(t->chunks()[3].first_row, 30);
  EXPECT_EQ(t->chunks()[3].rows, 7);
  std::vector<float> last(7 * 64);
  ASSERT_TRUE(transfer_->Download(t->chunks()[3].buffer, 0, last.data(), last.size() * 4).ok());
  EXPECT_EQ(0, std::memcmp(last.data(), data.data() + 30 * 64, last.size() * 4));
  auto too_small =
      DeviceTensor::Upload(*device_, *transfer_, TensorType::kF32, 64, 37, data.data(), 100);
  EXPECT_EQ(too_small.status().code(), ErrorCode::kTooLarge);
  auto plan = DeviceTensor::PlanBytes(TensorType::kQ4_K, 512, 3, 1 << 20);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(*plan, 3u * 2 * 144);
}

// An IQ3 tensor's chunks each hold the type's grid ahead of their rows (the shaders read
// it there); the plan and the tensor's size count one grid per chunk.
TEST_F(BufferTest, IqThreeChunksCarryTheirGridAheadOfTheRows) {
  const std::span<const uint8_t> grid = DeviceTensor::Codebook(TensorType::kIQ3_S);
  ASSERT_EQ(grid.size(), 512u * 4);
  EXPECT_EQ(DeviceTensor::Codebook(TensorType::kIQ3_XXS).size(), 256u * 4);
  EXPECT_TRUE(DeviceTensor::Codebook(TensorType::kQ4_K).empty());
  const int64_t row_bytes = RowBytes(TensorType::kIQ3_S, 256), rows = 5;
  std::vector<uint8_t> data(rows * row_bytes);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  const uint64_t limit = grid.size() + 2 * row_bytes;  // two rows per chunk
  auto plan = DeviceTensor::PlanBytes(TensorType::kIQ3_S, 256, rows, limit);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(*plan, rows * row_bytes + 3 * grid.size());
  auto t =
      DeviceTensor::Upload(*device_, *transfer_, TensorType::kIQ3_S, 256, rows, data.data(), limit);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->chunks().size(), 3u);
  EXPECT_EQ(t->bytes(), *plan);
  std::vector<uint8_t> last(grid.size() + row_bytes);
  ASSERT_TRUE(transfer_->Download(t->chunks()[2].buffer, 0, last.data(), last.size()).ok());
  EXPECT_EQ(0, std::memcmp(last.data(), grid.data(), grid.size()));
  EXPECT_EQ(0, std::memcmp(last.data() + grid.size(), data.data() + 4 * row_bytes, row_bytes));
  auto too_small = DeviceTensor::Upload(*device_, *transfer_, TensorType::kIQ3_S, 256, rows,
                                        data.data(), grid.size() + row_bytes - 1);
  EXPECT_EQ(too_small.status().code(), ErrorCode::kTooLarge);
  EXPECT_NE(too_small.status().message().find("codebook"), std::string::npos);
}

using CommandStreamTest = VulkanTest;

TEST_F(CommandStreamTest, DispatchRoundTripWithOnlyTheNeededBarriers) {
  std::vector<float> a = RandomFloats(1000, 3);
  std::vector<float> b = RandomFloats(1000, 4);
  Buffer ba = Upload(a), bb = Upload(b), sum = Zeros(1000), copy = Zeros(1000), other = Zeros(1000);
  auto s = CommandStream::Begin(*device_);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(kernels_->Add(**s, ba, bb, sum, 1000).ok());
  // Independent of the add: no barrier.
  ASSERT_TRUE(kernels_->Copy(**s, ba, other, 1000, 0, 0).ok());
  EXPECT_EQ((*s)->barrier_count(), 0);
  // Reads the add's output: one barrier.
  ASSERT_TRUE(kernels_->Copy(**s, sum, copy, 999, 1, 0).ok());
  EXPECT_EQ((*s)->barrier_count(), 1);
  ASSERT_TRUE((*s)->End().ok());
  // Replaying a recorded stream gives the same result.
  for (int i = 0; i < 2; ++i) ASSERT_TRUE((*s)->Submit().ok());
  std::vector<float> sums = Download(sum, 1000);
  for (int i = 0; i < 1000; ++i) ASSERT_FLOAT_EQ(sums[i], a[i] + b[i]) << i;
  std::vector<float> got = Download(copy, 999);
  for (int i = 0; i < 999; ++i) ASSERT_FLOAT_EQ(got[i], a[i + 1] + b[i + 1]) << i;
  EXPECT_EQ(Download(other, 1000), a);
}

TEST_F(CommandStreamTest, RejectsUndersizedBuffers) {
  Buffer small = Zeros(10), big = Zeros(100);
  auto s = CommandStream::Begin(*device_);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(kernels_->Add(**s, small, big, big, 100).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ((*s)->dispatch_count(), 0);
  ASSERT_TRUE((*s)->End().ok());
}

}  // namespace
}  // namespace hfd::vk
