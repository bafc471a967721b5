// Activation quantization: every path must produce exactly the scalar path's int8 values,
// scales and sums, or the paths would not agree on what they multiply.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "backends/cpu/kernels/kernel_table.h"

namespace hfd::cpu {
namespace {

struct Quantized {
  std::vector<int8_t> qs;
  std::vector<float> d;
  std::vector<int32_t> sum16;
};

Quantized Quantize(QuantizeQ8Fn fn, const std::vector<float>& x, int64_t block) {
  const int64_t n = static_cast<int64_t>(x.size());
  Quantized q{std::vector<int8_t>(n), std::vector<float>(n / block), std::vector<int32_t>(n / 16)};
  fn(x.data(), n, block, q.qs.data(), q.d.data(), q.sum16.data());
  return q;
}

// Random blocks plus the edge cases: an all-zero block, a block too small to scale, and a
// block whose values sit exactly on +-max.
std::vector<float> Inputs(int64_t block) {
  std::mt19937 rng(5);
  std::normal_distribution<float> dist(0.0f, 2.0f);
  std::vector<float> x(6 * block);
  for (float& f : x) f = dist(rng);
  for (int64_t i = 0; i < block; ++i) {
    x[block + i] = 0.0f;
    x[2 * block + i] = 1e-35f * static_cast<float>(i % 3);
    x[3 * block + i] = (i % 2 ? 1.0f : -1.0f) * 3.5f;
  }
  return x;
}

class KernelsActivations : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!IsaSupported(GetParam())) GTEST_SKIP() << "CPU lacks " << IsaName(GetParam());
  }
};

TEST_P(KernelsActivations, QuantizationIsIdenticalToScalar) {
  for (int64_t block : {32, 256}) {
    SCOPED_TRACE("block " + std::to_string(block));
    const std::vector<float> x = Inputs(block);
    const Quantized ref = Quantize(ScalarKernelTable().quantize_q8, x, block);
    const Quantized got = Quantize(KernelsFor(GetParam()).quantize_q8, x, block);
    EXPECT_EQ(got.qs, ref.qs);
    EXPECT_EQ(got.d, ref.d);
    EXPECT_EQ(got.sum16, ref.sum16);
  }
}

TEST(KernelsActivationsScalar, FollowsItsDefinition) {
  const std::vector<float> x = Inputs(32);
  const Quantized q = Quantize(ScalarKernelTable().quantize_q8, x, 32);
  for (size_t b = 0; b < q.d.size(); ++b) {
    float amax = 0.0f;
    for (int i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(x[32 * b + i]));
    if (amax <= 1e-30f) {
      EXPECT_EQ(q.d[b], 0.0f);
      for (int i = 0; i < 32; ++i) EXPECT_EQ(q.qs[32 * b + i], 0);
      continue;
    }
    EXPECT_EQ(q.d[b], amax / 127.0f);
    for (int i = 0; i < 32; ++i) {
      // Within half a step of the value, and never beyond +-127.
      EXPECT_LE(std::fabs(q.qs[32 * b + i] * q.d[b] - x[32 * b + i]), q.d[b] * 0.5001f);
      EXPECT_LE(std::abs(q.qs[32 * b + i]), 127);
    }
  }
  for (size_t g = 0; g < q.sum16.size(); ++g) {
    int32_t s = 0;
    for (int i = 0; i < 16; ++i) s += q.qs[16 * g + i];
    EXPECT_EQ(q.sum16[g], s);
  }
}

// The AMX-BF16 tiles' activations: three BF16 parts that sum to each float exactly, zeros
// past the row's end (a tile row holds 32 values).
TEST_P(KernelsActivations, Bf16PartsSumToTheFloatsExactly) {
  const SplitBf16x3Fn split = KernelsFor(GetParam()).split_bf16x3;
  if (split == nullptr) GTEST_SKIP() << "no kernel of this path takes BF16 parts";
  std::mt19937 rng(7);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> x(77);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = dist(rng) * std::ldexp(1.0f, static_cast<int>(i % 41) - 20);
  x[0] = 0.0f;
  x[1] = -1.0f / 3.0f;
  const int64_t n = static_cast<int64_t>(x.size());
  std::vector<uint16_t> row(Bf16x3Blocks(n) * kBf16x3BlockElems, 0xFFFF);
  split(x.data(), n, row.data());
  auto part = [&](int64_t i, int64_t q) {
    const uint16_t b = row[i / 32 * kBf16x3BlockElems + q * kBf16x3PartElems + i % 32];
    return static_cast<double>(std::bit_cast<float>(uint32_t{b} << 16));
  };
  for (int64_t i = 0; i < Bf16x3Blocks(n) * 32; ++i) {
    EXPECT_EQ(part(i, 0) + part(i, 1) + part(i, 2), i < n ? static_cast<double>(x[i]) : 0.0)
        << "value " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(AllPaths, KernelsActivations, ::testing::ValuesIn(kAllIsas),
                         [](const auto& info) { return std::string(IsaName(info.param)); });

}  // namespace
}  // namespace hfd::cpu
