// Cooperative-matrix prefill: the choice, the self-check's comparison and harness (both
// run here on lavapipe, which has no cooperative matrices), and on a device that has them
// (HFD_VK_TEST_DEVICE on a GPU machine) the kernel itself for every weight type.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "backends/vulkan/coopmat.h"
#include "backends/vulkan/coopmat_check.h"
#include "backends/vulkan/vulkan_backend.h"
#include "engine/quant/dequantize.h"
#include "tests/support/random_blocks.h"
#include "tests/vulkan/vk_test_env.h"

namespace hfd::vk {
namespace {

using namespace testing;  // NOLINT: test helpers

TEST(CoopMatChoiceTest, UsedWhenAvailableUnlessTheEnvironmentSaysZero) {
  const CoopMatSupport none{false, "the device does not offer VK_NV_cooperative_matrix"};
  CoopMatChoice c = ChooseCoopMat(none, nullptr);
  EXPECT_FALSE(c.use);
  EXPECT_NE(c.reason.find("does not offer"), std::string::npos) << c.reason;
  const CoopMatSupport have{true, ""};
  EXPECT_TRUE(ChooseCoopMat(have, nullptr).use);
  EXPECT_TRUE(ChooseCoopMat(have, "1").use);
  c = ChooseCoopMat(have, "0");
  EXPECT_FALSE(c.use);
  EXPECT_NE(c.reason.find("HFD_VK_COOPMAT=0"), std::string::npos) << c.reason;
}

TEST(CoopMatCompareTest, AllowsInputRoundingAndNothingMore) {
  const std::vector<float> want = {1.0f, -2.0f, 0.5f};
  const std::vector<float> scale = {100.0f, 100.0f, 100.0f};
  EXPECT_TRUE(CompareWithinInputRounding(want, want, scale, 4e-3).ok());
  using V = std::vector<float>;
  EXPECT_TRUE(CompareWithinInputRounding(V{1.3f, -2.3f, 0.2f}, want, scale, 4e-3).ok());
  Status st = CompareWithinInputRounding(V{1.0f, -2.5f, 0.5f}, want, scale, 4e-3);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("element 1"), std::string::npos) << st.message();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(CompareWithinInputRounding(V{1.0f, nan, 0.5f}, want, scale, 4e-3).ok());
  EXPECT_FALSE(CompareWithinInputRounding(V{1.0f}, want, scale, 4e-3).ok());
}

class CoopMatDeviceTest : public VulkanTest {};

// The harness, with two kernels every device has: they agree; a candidate that computes
// nothing does not.
TEST_F(CoopMatDeviceTest, SelfCheckHarnessTellsAgreementFromDisagreement) {
  const RecordMatMul tiled = [&](CommandStream& s, const DeviceTensor& w, const Buffer& x,
                                 const Buffer& y,
                                 uint32_t ntok) { return kernels_->MatMulTiled(s, w, x, y, ntok); };
  const RecordMatMul vec = [&](CommandStream& s, const DeviceTensor& w, const Buffer& x,
                               const Buffer& y,
                               uint32_t ntok) { return kernels_->MatMulVec(s, w, x, y, ntok); };
  const RecordMatMul nothing = [](CommandStream&, const DeviceTensor&, const Buffer&, const Buffer&,
                                  uint32_t) { return Status::Ok(); };
  EXPECT_TRUE(CheckMatMulAgreement(*device_, *transfer_, tiled, vec).ok());
  EXPECT_FALSE(CheckMatMulAgreement(*device_, *transfer_, tiled, nothing).ok());
}

TEST_F(CoopMatDeviceTest, OnlyADeviceThatHasThemUsesThem) {
  if (device_->coopmat().available) {
    // A GPU run: the self-check must pass and switch the kernels over.
    const std::string why = EnableCoopMat(*device_, *transfer_, *kernels_, {true, "coopmat"});
    EXPECT_NE(why.find("self-check passed"), std::string::npos) << why;
    EXPECT_TRUE(kernels_->coopmat());
    return;
  }
  EXPECT_FALSE(device_->coopmat().detail.empty());
  EXPECT_EQ(kernels_->UseCoopMat(true).code(), ErrorCode::kUnsupported);
  EXPECT_FALSE(kernels_->coopmat());
  // Even when told to, a failing self-check leaves the portable kernel in place.
  const std::string why = EnableCoopMat(*device_, *transfer_, *kernels_, {true, "coopmat"});
  EXPECT_EQ(why.rfind("cooperative matrices off:", 0), 0u) << why;
  EXPECT_FALSE(kernels_->coopmat());
}

TEST(CoopMatBackendTest, StatusSaysWhatPrefillRunsOn) {
  auto backend = CreateVulkanBackend({.device = TestDeviceName()});
  ASSERT_TRUE(backend.ok()) << backend.status().ToString();
  EXPECT_NE((*backend)->device_description().find("prefill: "), std::string::npos)
      << (*backend)->device_description();
}

// The kernel itself, for every weight type, against the dequantized reference: only on a
// device with cooperative matrices (the GPU run); skipped on lavapipe.
class CoopMatKernelTest : public VulkanTest, public ::testing::WithParamInterface<TensorType> {};

TEST_P(CoopMatKernelTest, MatchesTheReferenceWithinHalfPrecisionInputs) {
  if (!device_->coopmat().available) {
    GTEST_SKIP() << "no cooperative matrices: " << device_->coopmat().detail;
  }
  ASSERT_TRUE(kernels_->UseCoopMat(true).ok());
  const TensorType type = GetParam();
  const int64_t block = GetTypeTraits(type)->block_elems;
  const int64_t cols = block == 1 ? 97 : block * 3, rows = 130, ntok = 70;
  std::vector<float> w = RandomFloats(rows * cols, 81), x = RandomFloats(ntok * cols, 82);
  const int64_t row_bytes = RowBytes(type, cols);
  std::vector<uint8_t> packed(rows * row_bytes);
  std::vector<float> decoded(rows * cols);
  for (int64_t r = 0; r < rows; ++r) {
    if (!QuantizeRow(type, &w[r * cols], &packed[r * row_bytes], cols).ok()) {
      packed = hfd::testing::RandomBlocks(type, rows, cols, 81);  // a type hfd only decodes
      break;
    }
  }
  for (int64_t r = 0; r < rows; ++r) {
    ASSERT_TRUE(DequantizeRow(type, &packed[r * row_bytes], &decoded[r * cols], cols).ok());
  }
  auto dw = DeviceTensor::Upload(*device_, *transfer_, type, cols, rows, packed.data());
  ASSERT_TRUE(dw.ok());
  Buffer bx = Upload(x), by = Zeros(ntok * rows);
  auto s = CommandStream::Begin(*device_);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(kernels_->MatMulTiled(**s, *dw, bx, by, ntok).ok());
  ASSERT_TRUE((*s)->End().ok() && (*s)->Submit().ok());
  std::vector<float> want(ntok * rows), scale(ntok * rows);
  for (int64_t t = 0; t < ntok; ++t) {
    for (int64_t r = 0; r < rows; ++r) {
      double sum = 0, abs_sum = 0;
      for (int64_t k = 0; k < cols; ++k) {
        const double p = double(decoded[r * cols + k]) * x[t * cols + k];
        sum += p;
        abs_sum += std::fabs(p);
      }
      want[t * rows + r] = static_cast<float>(sum);
      scale[t * rows + r] = static_cast<float>(abs_sum);
    }
  }
  Status st = CompareWithinInputRounding(Download(by, ntok * rows), want, scale, 4e-3);
  EXPECT_TRUE(st.ok()) << TypeName(type) << ": " << st.message();
}

INSTANTIATE_TEST_SUITE_P(AllWeightTypes, CoopMatKernelTest,
                         ::testing::Values(TensorType::kF32, TensorType::kF16, TensorType::kBF16,
                                           TensorType::kQ8_0, TensorType::kQ4_0, TensorType::kQ4_1,
                                           TensorType::kQ5_0, TensorType::kQ5_1, TensorType::kQ4_K,
                                           TensorType::kQ5_K, TensorType::kQ6_K, TensorType::kQ2_K,
                                           TensorType::kQ3_K, TensorType::kIQ4_NL,
                                           TensorType::kIQ4_XS, TensorType::kMXFP4),
                         [](const auto& info) { return TypeName(info.param); });

}  // namespace
}  // namespace hfd::vk
