// Scalar (de)quantizers: half/bf16 conversion, block layouts, and round-trip error.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <span>
#include <vector>

#include "engine/quant/blocks.h"
#include "engine/quant/dequantize.h"
#include "engine/quant/half.h"
#include "engine/quant/mxfp4_hf.h"
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
  EXPECT_EQ(RowBytes(TensorType::kMXFP4, 96), 51);  // 17-byte blocks: rows of odd length
  EXPECT_EQ(*TensorTypeFromName("MXFP4"), TensorType::kMXFP4);
  EXPECT_EQ(static_cast<uint32_t>(TensorType::kMXFP4), 39u);  // GGML_TYPE_MXFP4
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

// MXFP4 against the OCP Microscaling (MX) v1.0 spec, values derived by hand (not from
// hfd's or GGML's tables). An E2M1 code is S EE M (bit 3 the sign, exponent bias 1):
//   EE = 00 (subnormal): M * 0.5          -> codes 0, 1: 0, 0.5
//   EE = 01: 1.M * 2^0 = 1, 1.5           -> codes 2, 3
//   EE = 10: 1.M * 2^1 = 2, 3             -> codes 4, 5
//   EE = 11: 1.M * 2^2 = 4, 6             -> codes 6, 7
// codes 8..15 are the same negated (8 is -0). The block's E8M0 byte e scales by 2^(e - 127)
// and e = 255 is NaN. GGML's layout: byte e, then 16 bytes whose low nibble is value j and
// high nibble value j + 16.
constexpr float kE2M1[16] = {0.0f,  0.5f,  1.0f,  1.5f,  2.0f,  3.0f,  4.0f,  6.0f,
                             -0.0f, -0.5f, -1.0f, -1.5f, -2.0f, -3.0f, -4.0f, -6.0f};

TEST(DequantizeTest, Mxfp4MatchesTheOcpSpecByHand) {
  BlockMXFP4 b[5] = {};
  // Block 0: e = 127, scale 2^0 = 1; value j holds code j, value j + 16 code 15 - j.
  b[0].e = 127;
  for (int j = 0; j < 16; ++j) b[0].qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
  // Block 1: e = 130, scale 2^3 = 8. Byte 0 = 0x7f: value 0 code 15 (-6 * 8 = -48), value
  // 16 code 7 (6 * 8 = 48). Byte 1 = 0x19: value 1 code 9 (-0.5 * 8 = -4), value 17 code 1
  // (0.5 * 8 = 4). The other codes are 0.
  b[1].e = 130;
  b[1].qs[0] = 0x7f;
  b[1].qs[1] = 0x19;
  // Block 2: e = 1, scale 2^-126 (the smallest normal float). Value 0 code 1:
  // 0.5 * 2^-126 = 2^-127 (subnormal); value 16 code 7: 6 * 2^-126 = 1.5 * 2^-124.
  b[2].e = 1;
  b[2].qs[0] = 0x71;
  // Block 3: e = 0, scale 2^-127. Value 0 code 2: 1 * 2^-127; value 16 code 14: -4 * 2^-127
  // = -2^-125.
  b[3].e = 0;
  b[3].qs[0] = 0xe2;
  // Block 4: e = 255 is NaN: every value, code 0 included.
  b[4].e = 255;
  b[4].qs[0] = 0x21;
  float y[5 * 32];
  ASSERT_TRUE(DequantizeRow(TensorType::kMXFP4, b, y, 5 * 32).ok());
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(y[j], kE2M1[j]) << j;
    EXPECT_EQ(y[j + 16], kE2M1[15 - j]) << j;
  }
  EXPECT_EQ(y[32], -48.0f);
  EXPECT_EQ(y[48], 48.0f);
  EXPECT_EQ(y[33], -4.0f);
  EXPECT_EQ(y[49], 4.0f);
  for (int j : {34, 47, 50, 63}) EXPECT_EQ(y[j], 0.0f) << j;
  EXPECT_EQ(y[64], 0x1p-127f);
  EXPECT_EQ(y[80], 0x1.8p-124f);
  EXPECT_EQ(y[96], 0x1p-127f);
  EXPECT_EQ(y[112], -0x1p-125f);
  for (int j = 128; j < 160; ++j) EXPECT_TRUE(std::isnan(y[j])) << j;

  // e = 254: scale 2^127; code 1 gives 0.5 * 2^127 = 2^126, code 10 gives -1 * 2^127.
  BlockMXFP4 top{};
  top.e = 254;
  top.qs[0] = 0xa1;
  float z[32];
  ASSERT_TRUE(DequantizeRow(TensorType::kMXFP4, &top, z, 32).ok());
  EXPECT_EQ(z[0], 0x1p126f);
  EXPECT_EQ(z[16], -0x1p127f);
}

// The encoder takes the spec's shared scale 2^(floor(log2(max|x|)) - 2) and rounds each
// value to the nearest E2M1 value, ties to the even code, saturating at 6 scale units.
TEST(QuantizeTest, Mxfp4SharedScaleAndTiesToEven) {
  float x[32] = {};
  x[0] = 7.0f;     // max 7: floor(log2 7) = 2, scale 2^0 (e = 127); 7 saturates to 6 (code 7)
  x[1] = 3.1f;     // nearest 3 (code 5)
  x[2] = -0.25f;   // tie of 0 and 0.5: even code 0, +0 (no negative zero code)
  x[3] = 0.75f;    // tie of 0.5 (code 1) and 1 (code 2): code 2
  x[4] = -5.0f;    // tie of 4 (code 6) and 6 (code 7): code 6, negative: 14
  x[16] = 1.25f;   // tie of 1 (code 2) and 1.5 (code 3): code 2
  x[17] = -1.75f;  // tie of 1.5 (code 3) and 2 (code 4): code 4, negative: 12
  BlockMXFP4 b{};
  ASSERT_TRUE(QuantizeRow(TensorType::kMXFP4, x, &b, 32).ok());
  EXPECT_EQ(b.e, 127);
  EXPECT_EQ(b.qs[0], 7 | (2 << 4));
  EXPECT_EQ(b.qs[1], 5 | (12 << 4));
  EXPECT_EQ(b.qs[2], 0);
  EXPECT_EQ(b.qs[3], 2);
  EXPECT_EQ(b.qs[4], 14);
  // Scaled by 2^-10 the codes stay and e drops by 10.
  for (float& v : x) v = std::ldexp(v, -10);
  BlockMXFP4 small{};
  ASSERT_TRUE(QuantizeRow(TensorType::kMXFP4, x, &small, 32).ok());
  EXPECT_EQ(small.e, 117);
  EXPECT_EQ(std::memcmp(small.qs, b.qs, sizeof b.qs), 0);
}

// gpt-oss's safetensors pair (_blocks, _scales) holds value 2i in the low nibble of byte i
// and 2i + 1 in the high nibble; packed into GGML's blocks it decodes to the same values.
TEST(Mxfp4HfTest, PacksGptOssBlocksIntoGgmlLayout) {
  uint8_t blocks[32];
  const uint8_t scales[2] = {127, 128};  // scales 2^0 and 2^1
  for (int i = 0; i < 16; ++i) {
    blocks[i] = static_cast<uint8_t>(i | ((15 - i) << 4));  // values 2i: code i, 2i + 1: 15 - i
    blocks[16 + i] = 0x21;                                  // codes 1 (0.5) and 2 (1.0)
  }
  std::vector<uint8_t> packed(2 * sizeof(BlockMXFP4));
  ASSERT_TRUE(PackMxfp4FromHf(blocks, scales, packed).ok());
  float y[64];
  ASSERT_TRUE(DequantizeRow(TensorType::kMXFP4, packed.data(), y, 64).ok());
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(y[2 * i], kE2M1[i]) << i;
    EXPECT_EQ(y[2 * i + 1], kE2M1[15 - i]) << i;
    EXPECT_EQ(y[32 + 2 * i], 1.0f) << i;  // 0.5 * 2
    EXPECT_EQ(y[32 + 2 * i + 1], 2.0f) << i;
  }
  const Status bad = PackMxfp4FromHf(std::span(blocks, 31), scales, packed);
  EXPECT_EQ(bad.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("_blocks and _scales"), std::string::npos) << bad.ToString();
  EXPECT_EQ(PackMxfp4FromHf(blocks, scales, std::span(packed.data(), 33)).code(),
            ErrorCode::kInvalidArgument);
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
        RoundTripCase{TensorType::kQ6_K, 0.021}, RoundTripCase{TensorType::kMXFP4, 0.14}),
    [](const ::testing::TestParamInfo<RoundTripCase>& info) { return TypeName(info.param.type); });

}  // namespace
}  // namespace hfd
