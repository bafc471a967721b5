// Scalar (de)quantizers: half/bf16 conversion, block layouts, and round-trip error.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "engine/quant/blocks.h"
#include "engine/quant/dequantize.h"
#include "engine/quant/half.h"
#include "engine/quant/tensor_type.h"

namespace hfd {
namespace {

TEST(HalfTest, KnownValues) {
  EXPECT_EQ(FloatToHalf(1.0f), 0x3c00);
  EXPECT_EQ(FloatToHalf(-2.0f), 0xc000);
  EXPECT_EQ(FloatToHalf(65504.0f), 0x7bff);
  EXPECT_EQ(FloatToHalf(65519.0f), 0x7bff);
  EXPECT_EQ(FloatToHalf(65520.0f), 0x7c00);  // halfway to the next step rounds to inf
  EXPECT_EQ(FloatToHalf(INFINITY), 0x7c00);
  EXPECT_EQ(FloatToHalf(0x1p-24f), 0x0001);           // smallest subnormal
  EXPECT_EQ(FloatToHalf(0x1p-25f), 0x0000);           // tie rounds to even (zero)
  EXPECT_EQ(FloatToHalf(0x1.8p-24f), 0x0002);         // tie rounds to even (two)
  EXPECT_EQ(FloatToHalf(1.0f + 0x1p-11f), 0x3c00);    // tie at 1.0 rounds down to even
  EXPECT_EQ(FloatToHalf(1.0f + 0x1.8p-10f), 0x3c02);  // tie rounds up to even
  EXPECT_TRUE(std::isnan(HalfToFloat(FloatToHalf(NAN))));
  EXPECT_EQ(HalfToFloat(0x3555), 0.333251953125f);
  EXPECT_EQ(HalfToFloat(0x8001), -0x1p-24f);
}

TEST(HalfTest, EveryNonNanHalfRoundTrips) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = HalfToFloat(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(FloatToHalf(f), h) << "half bits " << h;
  }
}

TEST(HalfTest, RoundsToNearest) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-70000.0f, 70000.0f);
  for (int i = 0; i < 100000; ++i) {
    const float f = dist(rng) * (i % 2 ? 1.0f : 1e-4f);
    const uint16_t h = FloatToHalf(f);
    const float back = HalfToFloat(h);
    if (std::isinf(back)) {
      ASSERT_GE(std::fabs(f), 65520.0f);
      continue;
    }
    // No neighbouring half is closer.
    const float up = HalfToFloat(static_cast<uint16_t>(h + 1));
    const float down = HalfToFloat(static_cast<uint16_t>(h - 1));
    ASSERT_LE(std::fabs(back - f), std::fabs(up - f)) << f;
    if ((h & 0x7fff) != 0) {
      ASSERT_LE(std::fabs(back - f), std::fabs(down - f)) << f;
    }
  }
}

TEST(Bf16Test, ConvertsAndRoundsToNearestEven) {
  EXPECT_EQ(FloatToBf16(1.0f), 0x3f80);
  EXPECT_EQ(Bf16ToFloat(0x3f80), 1.0f);
  EXPECT_EQ(FloatToBf16(1.0f + 0x1p-8f), 0x3f80);    // tie, even stays
  EXPECT_EQ(FloatToBf16(1.0f + 0x1.8p-7f), 0x3f82);  // tie, rounds up to even
  EXPECT_EQ(FloatToBf16(1.0f + 0x1.1p-8f), 0x3f81);  // above the tie
  EXPECT_TRUE(std::isnan(Bf16ToFloat(FloatToBf16(NAN))));
  EXPECT_EQ(FloatToBf16(-INFINITY), 0xff80);
}

TEST(TensorTypeTest, TraitsAndRowBytes) {
  auto q4k = GetTypeTraits(TensorType::kQ4_K);
  ASSERT_TRUE(q4k.ok());
  EXPECT_EQ(q4k->name, "Q4_K");
  EXPECT_EQ(q4k->block_elems, 256);
  EXPECT_EQ(q4k->block_bytes, 144);
  EXPECT_EQ(RowBytes(TensorType::kQ8_0, 64), 68);
  EXPECT_EQ(RowBytes(TensorType::kF32, INT64_MAX / 2), -1);  // byte count would overflow
  EXPECT_EQ(RowBytes(TensorType::kBF16, 3), 6);
  EXPECT_EQ(RowBytes(TensorType::kQ6_K, 100), -1);
  EXPECT_EQ(RowBytes(static_cast<TensorType>(17), 256), -1);
  auto bad = GetTypeTraits(static_cast<TensorType>(17));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(bad.status().message().find("type id 17 (IQ2_XS)"), std::string::npos);
  EXPECT_EQ(TypeName(static_cast<TensorType>(29)), "IQ1_M");
  EXPECT_EQ(TypeName(static_cast<TensorType>(99)), "type 99");
  EXPECT_EQ(RowBytes(TensorType::kIQ4_NL, 64), 36);
  EXPECT_EQ(RowBytes(TensorType::kIQ4_XS, 256), 136);
  EXPECT_EQ(RowBytes(TensorType::kIQ3_XXS, 256), 98);
  EXPECT_EQ(RowBytes(TensorType::kIQ3_S, 512), 220);
  EXPECT_EQ(*TensorTypeFromName("IQ3_XXS"), TensorType::kIQ3_XXS);
  EXPECT_EQ(*TensorTypeFromName("Q5_1"), TensorType::kQ5_1);
  EXPECT_FALSE(TensorTypeFromName("Q7_0").ok());
}

TEST(DequantizeTest, RejectsBadLengthsAndTypes) {
  std::vector<uint8_t> src(1024);
  std::vector<float> dst(256);
  EXPECT_EQ(DequantizeRow(TensorType::kQ8_0, src.data(), dst.data(), 33).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(DequantizeRow(static_cast<TensorType>(40), src.data(), dst.data(), 32).code(),
            ErrorCode::kUnsupported);
  EXPECT_EQ(QuantizeRow(TensorType::kQ2_K, dst.data(), src.data(), 256).code(),
            ErrorCode::kUnsupported);
  EXPECT_EQ(QuantizeRow(TensorType::kIQ4_XS, dst.data(), src.data(), 256).code(),
            ErrorCode::kUnsupported);
}

// Hand-built blocks pin the bit layouts independently of the encoders.
TEST(DequantizeTest, Q4_0Layout) {
  BlockQ4_0 b{};
  b.d = FloatToHalf(0.5f);
  for (int j = 0; j < 16; ++j) b.qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
  float y[32];
  ASSERT_TRUE(DequantizeRow(TensorType::kQ4_0, &b, y, 32).ok());
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(y[j], (j - 8) * 0.5f);
    EXPECT_EQ(y[j + 16], (7 - j) * 0.5f);
  }
}

TEST(DequantizeTest, Q5_1Layout) {
  BlockQ5_1 b{};
  b.d = FloatToHalf(1.0f);
  b.m = FloatToHalf(-3.0f);
  const uint32_t qh = 0x80000001u;  // fifth bit set for values 0 and 31
  std::memcpy(b.qh, &qh, 4);
  for (int j = 0; j < 16; ++j) b.qs[j] = 0x21;  // low nibble 1, high nibble 2
  float y[32];
  ASSERT_TRUE(DequantizeRow(TensorType::kQ5_1, &b, y, 32).ok());
  EXPECT_EQ(y[0], 17 - 3.0f);
  EXPECT_EQ(y[1], 1 - 3.0f);
  EXPECT_EQ(y[16], 2 - 3.0f);
  EXPECT_EQ(y[31], 18 - 3.0f);
}

TEST(DequantizeTest, Q4_KScalesAndMins) {
  BlockQ4_K b{};
  b.d = FloatToHalf(1.0f);
  b.dmin = FloatToHalf(0.5f);
  // Sub-block 1: scale 3, min 2 (low 6-bit fields); sub-block 5: scale 33, min 40.
  b.scales[1] = 3;
  b.scales[5] = 2;
  b.scales[9] = static_cast<uint8_t>((33 & 15) | ((40 & 15) << 4));
  b.scales[1] |= static_cast<uint8_t>((33 >> 4) << 6);
  b.scales[5] |= static_cast<uint8_t>((40 >> 4) << 6);
  for (int l = 0; l < 128; ++l) b.qs[l] = 0x57;  // low nibble 7, high nibble 5
  float y[256];
  ASSERT_TRUE(DequantizeRow(TensorType::kQ4_K, &b, y, 256).ok());
  EXPECT_EQ(y[32], 3 * 5 - 0.5f * 2);     // sub-block 1 takes the high nibbles of bytes 0..31
  EXPECT_EQ(y[160], 33 * 5 - 0.5f * 40);  // sub-block 5 = high nibbles of bytes 64..95
  EXPECT_EQ(y[0], 0.0f);                  // sub-block 0: scale 0, min 0
}

TEST(DequantizeTest, Q3_KScales) {
  BlockQ3_K b{};
  b.d = FloatToHalf(1.0f);
  // Every 6-bit scale = 32 + 5 (low nibble 5, high bits 2): scale 5.
  for (int j = 0; j < 8; ++j) b.scales[j] = 0x55;
  for (int j = 8; j < 12; ++j) b.scales[j] = 0xaa;
  std::memset(b.hmask, 0xff, sizeof b.hmask);  // no -4 offset
  std::memset(b.qs, 0xe4, sizeof b.qs);        // 2-bit fields 0,1,2,3 by shift
  float y[256];
  ASSERT_TRUE(DequantizeRow(TensorType::kQ3_K, &b, y, 256).ok());
  EXPECT_EQ(y[0], 0.0f);    // shift 0 -> 0
  EXPECT_EQ(y[32], 5.0f);   // shift 2 -> 1
  EXPECT_EQ(y[64], 10.0f);  // shift 4 -> 2
  EXPECT_EQ(y[96], 15.0f);  // shift 6 -> 3
}

std::vector<float> Gaussian(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(n);
  for (int i = 0; i < n; ++i) v[i] = dist(rng) * (1.0f + 0.5f * static_cast<float>(i / 256 % 3));
  return v;
}

struct RoundTripCase {
  TensorType type;
  double max_rel_rms;  // RMS error / RMS value on Gaussian data, measured + ~20% margin
};

class RoundTripTest : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(RoundTripTest, ErrorWithinTypeBudget) {
  const RoundTripCase c = GetParam();
  constexpr int kN = 256 * 16;
  const std::vector<float> x = Gaussian(kN, 42);
  std::vector<uint8_t> q(static_cast<size_t>(RowBytes(c.type, kN)));
  std::vector<float> y(kN);
  ASSERT_TRUE(QuantizeRow(c.type, x.data(), q.data(), kN).ok());
  ASSERT_TRUE(DequantizeRow(c.type, q.data(), y.data(), kN).ok());
  double err = 0, ref = 0;
  for (int i = 0; i < kN; ++i) {
    err += (x[i] - y[i]) * (x[i] - y[i]);
    ref += x[i] * x[i];
  }
  const double rel = std::sqrt(err / ref);
  EXPECT_LT(rel, c.max_rel_rms) << TypeName(c.type);
  RecordProperty("relative_rms_error", std::to_string(rel));
  // Quantizing is deterministic and decoding what was decoded is stable.
  std::vector<uint8_t> q2(q.size());
  ASSERT_TRUE(QuantizeRow(c.type, x.data(), q2.data(), kN).ok());
  EXPECT_EQ(q, q2);
}

TEST_P(RoundTripTest, ZerosAndNonFiniteInputsStayInRange) {
  const RoundTripCase c = GetParam();
  constexpr int kN = 256;
  std::vector<float> x(kN, 0.0f);
  std::vector<uint8_t> q(static_cast<size_t>(RowBytes(c.type, kN)));
  std::vector<float> y(kN, 1.0f);
  ASSERT_TRUE(QuantizeRow(c.type, x.data(), q.data(), kN).ok());
  ASSERT_TRUE(DequantizeRow(c.type, q.data(), y.data(), kN).ok());
  for (float v : y) EXPECT_EQ(v, 0.0f);
  x[3] = NAN;
  x[9] = INFINITY;
  ASSERT_TRUE(QuantizeRow(c.type, x.data(), q.data(), kN).ok());  // must not trap under UBSan
}

INSTANTIATE_TEST_SUITE_P(
    AllEncodableTypes, RoundTripTest,
    ::testing::Values(
        RoundTripCase{TensorType::kF32, 1e-9}, RoundTripCase{TensorType::kF16, 3e-4},
        RoundTripCase{TensorType::kBF16, 2.5e-3}, RoundTripCase{TensorType::kQ8_0, 0.007},
        RoundTripCase{TensorType::kQ8_1, 0.007}, RoundTripCase{TensorType::kQ8_K, 0.009},
        RoundTripCase{TensorType::kQ4_0, 0.10}, RoundTripCase{TensorType::kQ4_1, 0.09},
        RoundTripCase{TensorType::kQ5_0, 0.052}, RoundTripCase{TensorType::kQ5_1, 0.045},
        RoundTripCase{TensorType::kQ4_K, 0.085}, RoundTripCase{TensorType::kQ5_K, 0.043},
        RoundTripCase{TensorType::kQ6_K, 0.021}),
    [](const ::testing::TestParamInfo<RoundTripCase>& info) { return TypeName(info.param.type); });

}  // namespace
}  // namespace hfd
