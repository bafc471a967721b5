// Kernels::TopLogits (top_logits.comp) against runtime::FindTopLogits, the op's CPU
// definition: the same ids in the same order, the same logits, the logsumexp within 1e-5
// relative.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <span>
#include <vector>

#include "backends/vulkan/command_stream.h"
#include "engine/runtime/top_logits.h"
#include "tests/vulkan/vk_test_env.h"

namespace hfd::vk {
namespace {

using testing::RandomFloats;

class TopLogitsKernelTest : public testing::VulkanTest {
 protected:
  // Runs the kernel on `rows` rows of `x` and compares each with FindTopLogits.
  void Check(const std::vector<float>& x, uint32_t width, uint32_t rows, uint32_t k) {
    const auto packed_width = static_cast<uint32_t>(runtime::TopLogitsWidth(k));
    Buffer bx = Upload(x), out = Zeros(uint64_t{rows} * packed_width);
    auto s = CommandStream::Begin(*device_);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(kernels_->TopLogits(**s, bx, out, width, rows, k).ok());
    ASSERT_TRUE((*s)->End().ok() && (*s)->Submit().ok());
    const std::vector<float> got_rows = Download(out, uint64_t{rows} * packed_width);
    for (uint32_t r = 0; r < rows; ++r) {
      SCOPED_TRACE(::testing::Message() << "width " << width << " row " << r << " k " << k);
      const runtime::TopLogits got = runtime::UnpackTopLogits(
          std::span(got_rows).subspan(r * packed_width, packed_width), static_cast<int32_t>(k));
      const runtime::TopLogits want = runtime::FindTopLogits(
          std::span(x).subspan(uint64_t{r} * width, width), static_cast<int32_t>(k));
      EXPECT_EQ(got.ids, want.ids);
      EXPECT_EQ(got.logits, want.logits);
      if (std::isinf(want.logsumexp)) {
        EXPECT_EQ(got.logsumexp, want.logsumexp);
      } else {
        EXPECT_NEAR(got.logsumexp, want.logsumexp, 1e-5 * std::abs(want.logsumexp) + 1e-6);
      }
    }
  }
};

// Logits of a real model's scale: spread over a few tens.
std::vector<float> Logits(size_t n, uint32_t seed) {
  std::vector<float> x = RandomFloats(n, seed);
  for (float& v : x) v *= 12.0f;
  return x;
}

TEST_F(TopLogitsKernelTest, LlamaVocabulary) {
  Check(Logits(32000 * 2, 3), 32000, 2, runtime::kMaxTopLogits);
}

TEST_F(TopLogitsKernelTest, QwenVocabulary) {
  Check(Logits(151936, 5), 151936, 1, runtime::kMaxTopLogits);
}

TEST_F(TopLogitsKernelTest, FewerEntries) { Check(Logits(5000, 9), 5000, 1, 3); }

TEST_F(TopLogitsKernelTest, TiesTakeTheLowerIdFirst) {
  const uint32_t width = 4096;
  std::vector<float> x(width * 2, 1.0f);  // row 0: all equal
  std::vector<float> row1 = Logits(width, 11);
  // Equal maxima in different invocations' slices and within one slice.
  for (uint32_t i : {3000u, 17u, 273u, 529u, 4095u}) row1[i] = 50.0f;
  std::copy(row1.begin(), row1.end(), x.begin() + width);
  Check(x, width, 2, runtime::kMaxTopLogits);
}

TEST_F(TopLogitsKernelTest, NaNAndInfiniteEntries) {
  const uint32_t width = 1000;
  constexpr float kInf = std::numeric_limits<float>::infinity();
  std::vector<float> x = Logits(width * 3, 13);
  for (uint32_t i = 0; i < width; i += 3) x[i] = std::numeric_limits<float>::quiet_NaN();
  for (uint32_t i = width; i < 2 * width; ++i) x[i] = -kInf;  // row 1: all -inf
  x[width + 500] = 1.0f;
  x[2 * width + 42] = kInf;  // row 2: +inf
  Check(x, width, 3, runtime::kMaxTopLogits);
}

TEST_F(TopLogitsKernelTest, RefusesMoreEntriesThanTheRow) {
  Buffer bx = Upload(Logits(10, 1)), out = Zeros(64);
  auto s = CommandStream::Begin(*device_);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(kernels_->TopLogits(**s, bx, out, 10, 1, 11).ok());
  EXPECT_FALSE(kernels_->TopLogits(**s, bx, out, 10, 1, 0).ok());
}

}  // namespace
}  // namespace hfd::vk
