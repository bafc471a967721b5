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

// Rows `stride` apart with other data between them, as K and V rows of one head sit in
// the cache; 7 rows reach the four-row and one-row forms.
TEST_P(KernelsF16, RowDotsAndAxpyMatchDoublePrecision) {
  constexpr int64_t kRows = 7;
  for (int64_t n : kSizes) {
    const int64_t stride = n + 5;
    const std::vector<uint16_t> a = ToHalf(RandomFloats(kRows * stride, 2));
    const std::vector<float> b = RandomFloats(n, 3);
    std::vector<float> dots(kRows, NAN);
    k().dot_f16_rows(a.data(), stride, kRows, b.data(), n, dots.data());
    for (int64_t j = 0; j < kRows; ++j) {
      double ref = 0.0, magnitude = 0.0;
      for (int64_t i = 0; i < n; ++i) {
        const double p = static_cast<double>(HalfToFloat(a[j * stride + i])) * b[i];
        ref += p;
        magnitude += std::fabs(p);
      }
      EXPECT_NEAR(dots[j], ref, 1e-6 * magnitude + 1e-6) << "n=" << n << " row " << j;
    }

    const std::vector<float> w = RandomFloats(kRows, 4);
    std::vector<float> y = b;
    k().axpy_f16_rows(w.data(), a.data(), stride, kRows, y.data(), n);
    for (int64_t i = 0; i < n; ++i) {
      // One rounding per added row at most.
      double exact = b[i], magnitude = std::fabs(b[i]);
      for (int64_t j = 0; j < kRows; ++j) {
        const double p = static_cast<double>(w[j]) * HalfToFloat(a[j * stride + i]);
        exact += p;
        magnitude += std::fabs(p);
      }
      EXPECT_NEAR(y[i], exact, 1e-6 * kRows * magnitude + 1e-7) << "n=" << n << " i=" << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllPaths, KernelsF16, ::testing::ValuesIn(kAllIsas),
                         [](const auto& info) { return std::string(IsaName(info.param)); });

TEST(KernelsIsa, NamesRoundTripAndScalarIsAlwaysThere) {
  for (Isa isa : kAllIsas) {
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
