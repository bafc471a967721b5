// The F16 helpers attention uses, on every path, against the scalar conversions.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "backends/cpu/kernels/kernel_table.h"
#include "backends/cpu/kernels/matmul.h"
#include "engine/quant/half.h"

namespace hfd::cpu {
namespace {

std::vector<float> RandomFloats(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 3.0f);
  std::vector<float> v(n);
  for (auto& f : v) f = dist(rng);
  return v;
}

std::vector<uint16_t> ToHalf(const std::vector<float>& v) {
  std::vector<uint16_t> h(v.size());
  for (size_t i = 0; i < v.size(); ++i) h[i] = FloatToHalf(v[i]);
  return h;
}

constexpr int64_t kSizes[] = {1, 7, 8, 31, 64, 129};

class KernelsF16 : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!IsaSupported(GetParam())) GTEST_SKIP() << "CPU lacks " << IsaName(GetParam());
  }
  const KernelTable& k() const { return KernelsFor(GetParam()); }
};

TEST_P(KernelsF16, ConversionsRoundLikeTheScalarReference) {
  for (int64_t n : kSizes) {
    std::vector<float> src = RandomFloats(n, 1);
    src[0] = 70000.0f;          // overflows to infinity
    if (n > 1) src[1] = 1e-6f;  // a half subnormal
    std::vector<uint16_t> half(n);
    k().f32_to_f16(src.data(), half.data(), n);
    EXPECT_EQ(half, ToHalf(src)) << "n=" << n;
    std::vector<float> back(n);
    k().f16_to_f32(half.data(), back.data(), n);
    for (int64_t i = 0; i < n; ++i) EXPECT_EQ(back[i], HalfToFloat(half[i])) << i;
  }
}

TEST_P(KernelsF16, DotAndAxpyMatchDoublePrecision) {
  for (int64_t n : kSizes) {
    const std::vector<uint16_t> a = ToHalf(RandomFloats(n, 2));
    const std::vector<float> b = RandomFloats(n, 3);
    double ref = 0.0, magnitude = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      ref += static_cast<double>(HalfToFloat(a[i])) * b[i];
      magnitude += std::fabs(static_cast<double>(HalfToFloat(a[i])) * b[i]);
    }
    EXPECT_NEAR(k().dot_f16_f32(a.data(), b.data(), n), ref, 1e-6 * magnitude + 1e-6);

    std::vector<float> y = b;
    k().axpy_f16(0.37f, a.data(), y.data(), n);
    for (int64_t i = 0; i < n; ++i) {
      // One fused or unfused multiply-add: within one rounding of the exact value.
      const double exact = b[i] + 0.37 * HalfToFloat(a[i]);
      EXPECT_NEAR(y[i], exact, 1e-6 * (std::fabs(exact) + std::fabs(b[i])) + 1e-7) << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllPaths, KernelsF16,
                         ::testing::Values(Isa::kScalar, Isa::kAvx2, Isa::kAvx512),
                         [](const auto& info) { return std::string(IsaName(info.param)); });

TEST(KernelsIsa, NamesRoundTripAndScalarIsAlwaysThere) {
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    Result<Isa> parsed = IsaFromName(IsaName(isa));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, isa);
  }
  EXPECT_FALSE(IsaFromName("sse9").ok());
  EXPECT_TRUE(IsaSupported(Isa::kScalar));
  EXPECT_TRUE(IsaSupported(ActiveIsa()));
}

}  // namespace
}  // namespace hfd::cpu
