// MatMul on every weight type and every SIMD path this machine runs, against (a) the
// scalar path and (b) a double-precision dequantize-and-dot reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numbers>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "backends/cpu/kernels/matmul.h"
#include "engine/quant/dequantize.h"
#include "tests/support/random_blocks.h"

namespace hfd::cpu {
namespace {

const TensorType kTypes[] = {TensorType::kF32,     TensorType::kF16,    TensorType::kBF16,
                             TensorType::kQ8_0,    TensorType::kQ4_0,   TensorType::kQ4_1,
                             TensorType::kQ5_0,    TensorType::kQ5_1,   TensorType::kQ4_K,
                             TensorType::kQ5_K,    TensorType::kQ6_K,   TensorType::kQ2_K,
                             TensorType::kQ3_K,    TensorType::kIQ4_NL, TensorType::kIQ4_XS,
                             TensorType::kIQ3_XXS, TensorType::kIQ3_S,  TensorType::kMXFP4};

std::vector<float> RandomFloats(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& f : v) f = dist(rng);
  return v;
}

bool IsQuantized(TensorType t) {
  return t != TensorType::kF32 && t != TensorType::kF16 && t != TensorType::kBF16;
}

// A weight matrix in `type`, quantized from random floats, plus its dequantized values.
struct Weights {
  std::vector<uint8_t> data;
  std::vector<float> values;  // rows * cols, as the kernels should see them
};

Weights MakeWeights(TensorType type, int64_t rows, int64_t cols, uint32_t seed) {
  const std::vector<float> src = RandomFloats(rows * cols, seed);
  const int64_t row_bytes = RowBytes(type, cols);
  Weights w;
  w.data.resize(rows * row_bytes);
  w.values.resize(rows * cols);
  for (int64_t r = 0; r < rows; ++r) {
    if (!QuantizeRow(type, src.data() + r * cols, w.data.data() + r * row_bytes, cols).ok()) {
      w.data = testing::RandomBlocks(type, rows, cols, seed);  // a type hfd only decodes
      break;
    }
  }
  for (int64_t r = 0; r < rows; ++r) {
    EXPECT_TRUE(
        DequantizeRow(type, w.data.data() + r * row_bytes, w.values.data() + r * cols, cols).ok());
  }
  return w;
}

struct Case {
  TensorType type;
  int64_t rows, cols, n_tokens;
};

std::string Describe(const Case& c) {
  return TypeName(c.type) + " rows=" + std::to_string(c.rows) + " cols=" + std::to_string(c.cols) +
         " tokens=" + std::to_string(c.n_tokens);
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  for (TensorType t : kTypes) {
    const int64_t block = GetTypeTraits(t)->block_elems;
    const int64_t cols = block == 256 ? 3 * 256 : (block == 32 ? 7 * 32 : 77);
    // 13 and 19 tokens: register-blocked tiles (6, 8 or 16 tokens) plus four- and one-token
    // leftovers.
    for (int64_t n_tokens : {1, 3, 5, 13, 19}) cases.push_back({t, 37, cols, n_tokens});
    if (block == 32) cases.push_back({t, 19, 32, 2});  // a single block per row
  }
  return cases;
}

std::vector<float> RunMatMul(Isa isa, const Case& c, const Weights& w, const std::vector<float>& x,
                             ThreadPool* pool, ActPrecision precision = ActPrecision::kInt8,
                             WeightLayout layout = WeightLayout::kGguf) {
  std::vector<float> y(c.rows * c.n_tokens, NAN);
  Status s = MatMulOnIsa(isa, c.type, w.data.data(), c.rows, c.cols, x.data(), c.n_tokens, y.data(),
                         pool, precision, {}, layout);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return y;
}

// Largest error int8 block quantization of x can cause in sum_k w[k] * x[k]: each x[k]
// moves by at most half a step, max|x over its block| / 254.
double ActivationQuantError(const float* w, const float* x, int64_t cols, int64_t block) {
  double err = 0.0;
  for (int64_t b = 0; b < cols; b += block) {
    double amax = 0.0, wsum = 0.0;
    for (int64_t k = b; k < b + block; ++k) {
      amax = std::max(amax, std::fabs(static_cast<double>(x[k])));
      wsum += std::fabs(w[k]);
    }
    err += wsum * amax / 254.0;
  }
  return err;
}

// Every output of `isa` at `precision` against a double-precision dot of the dequantized
// weights, within `float_rel` of the products' magnitude (float rounding) plus
// `act_error_share` of the int8 activation rounding bound.
void ExpectMatchesDoublePrecision(Isa isa, ActPrecision precision, double float_rel,
                                  double act_error_share) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(Describe(c));
    const Weights w = MakeWeights(c.type, c.rows, c.cols, 7);
    const std::vector<float> x = RandomFloats(c.n_tokens * c.cols, 11);
    const std::vector<float> y = RunMatMul(isa, c, w, x, nullptr, precision);
    // K-quants quantize activations per 256 values, the legacy types per 32.
    const int64_t act_block = GetTypeTraits(c.type)->block_elems == 256 ? 256 : 32;
    for (int64_t t = 0; t < c.n_tokens; ++t) {
      for (int64_t r = 0; r < c.rows; ++r) {
        const float* wr = w.values.data() + r * c.cols;
        const float* xt = x.data() + t * c.cols;
        double ref = 0.0, magnitude = 0.0;
        for (int64_t k = 0; k < c.cols; ++k) {
          ref += static_cast<double>(wr[k]) * xt[k];
          magnitude += std::fabs(static_cast<double>(wr[k]) * xt[k]);
        }
        double tol = float_rel * magnitude + 1e-6;
        if (IsQuantized(c.type)) {
          tol += act_error_share * ActivationQuantError(wr, xt, c.cols, act_block);
        }
        ASSERT_NEAR(y[t * c.rows + r], ref, tol) << "row " << r << " token " << t;
      }
    }
  }
}

TEST(KernelsMatMul, ScalarMatchesDoublePrecisionReference) {
  ExpectMatchesDoublePrecision(Isa::kScalar, ActPrecision::kInt8, 1e-5, 1.0);
}

// The int8 remainder shrinks the activation rounding by a factor of about 254: allow 1 %.
TEST(KernelsMatMul, FinerActivationsShrinkTheRoundingOnEveryPath) {
  for (Isa isa : kAllIsas) {
    if (!IsaSupported(isa)) continue;
    SCOPED_TRACE(std::string(IsaName(isa)));
    ExpectMatchesDoublePrecision(isa, ActPrecision::kInt8x2, 2e-5, 0.01);
  }
}

// Two results of the same products summed in another order: a relative bound on each
// row's magnitude.
void ExpectSameUpToSummationOrder(const Case& c, const Weights& w, const std::vector<float>& x,
                                  const std::vector<float>& got, const std::vector<float>& ref) {
  for (int64_t i = 0; i < c.rows * c.n_tokens; ++i) {
    const int64_t r = i % c.rows, t = i / c.rows;
    double magnitude = 0.0;
    for (int64_t k = 0; k < c.cols; ++k) {
      magnitude += std::fabs(w.values[r * c.cols + k] * x[t * c.cols + k]);
    }
    ASSERT_NEAR(got[i], ref[i], 2e-5 * magnitude + 1e-6) << "row " << r << " token " << t;
  }
}

TEST(KernelsMatMul, EverySimdPathMatchesScalar) {
  int paths = 0;
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512, Isa::kAmx}) {
    if (!IsaSupported(isa)) continue;
    ++paths;
    SCOPED_TRACE(std::string(IsaName(isa)));
    for (const Case& c : Cases()) {
      SCOPED_TRACE(Describe(c));
      const Weights w = MakeWeights(c.type, c.rows, c.cols, 3);
      const std::vector<float> x = RandomFloats(c.n_tokens * c.cols, 5);
      ExpectSameUpToSummationOrder(c, w, x, RunMatMul(isa, c, w, x, nullptr),
                                   RunMatMul(Isa::kScalar, c, w, x, nullptr));
    }
  }
  if (paths == 0) GTEST_SKIP() << "this CPU has no SIMD path to compare";
}

TEST(KernelsMatMul, ThreadCountDoesNotChangeResults) {
  ThreadPool one(1), two(2), three(3);
  for (Isa isa : kAllIsas) {
    if (!IsaSupported(isa)) continue;
    // IQ3_XXS and IQ3_S: their 512-bit tiles gather from grids built on first use, which
    // several threads may reach at once.
    for (TensorType type : {TensorType::kF16, TensorType::kQ8_0, TensorType::kQ4_K,
                            TensorType::kIQ3_XXS, TensorType::kIQ3_S}) {
      const Case c{type, 101, 512, 3};
      SCOPED_TRACE(std::string(IsaName(isa)) + " " + Describe(c));
      const Weights w = MakeWeights(c.type, c.rows, c.cols, 9);
      const std::vector<float> x = RandomFloats(c.n_tokens * c.cols, 13);
      const std::vector<float> base = RunMatMul(isa, c, w, x, &one);
      EXPECT_EQ(RunMatMul(isa, c, w, x, &two), base);
      EXPECT_EQ(RunMatMul(isa, c, w, x, &three), base);
      EXPECT_EQ(RunMatMul(isa, c, w, x, nullptr), base);
    }
  }
}

// Prefill computes tokens in register-blocked tiles (rows x tokens), four-token and
// one-token calls; a token's result must not depend on which of them computed it. The one
// exception: the AMX path's F16 and BF16 tiles (AMX-BF16 in FP32) leave single tokens to the
// AVX-512 float kernel, whose sums run in another order (a tile per token would halve decode
// speed). 21 rows x 21 tokens reach every kind of call on every path (tiles of 6, 8 and 16
// tokens, leftovers of every size).
TEST(KernelsMatMul, BatchingTokensDoesNotChangeResults) {
  for (Isa isa : kAllIsas) {
    if (!IsaSupported(isa)) continue;
    for (ActPrecision precision : {ActPrecision::kInt8, ActPrecision::kInt8x2}) {
      for (TensorType type : kTypes) {
        const Case c{type, 21, 512, 21};
        SCOPED_TRACE(std::string(IsaName(isa)) + " " + Describe(c) +
                     (precision == ActPrecision::kInt8x2 ? " int8x2" : " int8"));
        const Weights w = MakeWeights(c.type, c.rows, c.cols, 21);
        const std::vector<float> x = RandomFloats(c.n_tokens * c.cols, 23);
        const std::vector<float> batched = RunMatMul(isa, c, w, x, nullptr, precision);
        std::vector<float> singles;
        for (int64_t t = 0; t < c.n_tokens; ++t) {
          const Case one{type, c.rows, c.cols, 1};
          const std::vector<float> xt(x.begin() + t * c.cols, x.begin() + (t + 1) * c.cols);
          const std::vector<float> single = RunMatMul(isa, one, w, xt, nullptr, precision);
          singles.insert(singles.end(), single.begin(), single.end());
        }
        if (isa == Isa::kAmx && !IsQuantized(type)) {
          ExpectSameUpToSummationOrder(c, w, x, batched, singles);
        } else {
          EXPECT_EQ(batched, singles);
        }
      }
    }
  }
}

// Sequences decoded together make calls of a few tokens, which run as one tile of exactly
// their tokens (up to eight; more as several) on the AVX-512 and AMX paths: every count from
// 2 to 17 must give each token the bits of its own one-token call. 19 rows: a 16-row tile
// and leftover rows. The AMX path's F16 and BF16 tiles differ in summation order (above).
TEST(KernelsMatMul, FewTokenCallsEqualOneTokenCalls) {
  for (Isa isa : kAllIsas) {
    if (!IsaSupported(isa)) continue;
    for (TensorType type : kTypes) {
      const int64_t block = GetTypeTraits(type)->block_elems;
      const int64_t cols = block == 256 ? 512 : (block == 32 ? 96 : 64);
      const Weights w = MakeWeights(type, 19, cols, 51);
      const std::vector<float> x = RandomFloats(17 * cols, 53);
      std::vector<float> singles;
      for (int64_t t = 0; t < 17; ++t) {
        const std::vector<float> xt(x.begin() + t * cols, x.begin() + (t + 1) * cols);
        const std::vector<float> single = RunMatMul(isa, {type, 19, cols, 1}, w, xt, nullptr);
        singles.insert(singles.end(), single.begin(), single.end());
      }
      for (int64_t n_tokens = 2; n_tokens <= 17; ++n_tokens) {
        const Case c{type, 19, cols, n_tokens};
        SCOPED_TRACE(std::string(IsaName(isa)) + " " + Describe(c));
        const std::vector<float> batched = RunMatMul(isa, c, w, x, nullptr);
        const std::vector<float> expected(singles.begin(), singles.begin() + 19 * n_tokens);
        if (isa == Isa::kAmx && !IsQuantized(type)) {
          ExpectSameUpToSummationOrder(c, w, x, batched, expected);
        } else {
          EXPECT_EQ(batched, expected);
        }
      }
    }
  }
}

// The AMX tiles produce the AVX-512 tiles' exact int32 sums and run the same float
// epilogue, so the two paths agree bit for bit. F16 and BF16 weights go through AMX-BF16 in
// FP32 (kernels_amx_bf16.cc): the same products in another order. 37 rows x 83 tokens: a
// 64-token and a 19-token AMX call per 16-row block, leftover rows; 2048 columns reach
// several block groups.
TEST(KernelsMatMul, AmxMatchesAvx512) {
  if (!IsaSupported(Isa::kAmx)) {
    GTEST_SKIP() << "no amx path here: " << IsaUnsupportedReason(Isa::kAmx);
  }
  ThreadPool two(2);
  for (ActPrecision precision : {ActPrecision::kInt8, ActPrecision::kInt8x2}) {
    for (TensorType type : kTypes) {
      const int64_t short_cols = GetTypeTraits(type)->block_elems == 256 ? 768 : 224;
      for (int64_t cols : {int64_t{2048}, short_cols}) {
        if (cols % GetTypeTraits(type)->block_elems != 0) continue;
        const Case c{type, 37, cols, 83};
        SCOPED_TRACE(Describe(c) + (precision == ActPrecision::kInt8x2 ? " int8x2" : " int8"));
        const Weights w = MakeWeights(c.type, c.rows, c.cols, 31);
        const std::vector<float> x = RandomFloats(c.n_tokens * c.cols, 37);
        const std::vector<float> amx = RunMatMul(Isa::kAmx, c, w, x, &two, precision);
        const std::vector<float> avx512 = RunMatMul(Isa::kAvx512, c, w, x, nullptr, precision);
        if (IsQuantized(type)) {
          EXPECT_EQ(amx, avx512);
        } else {
          ExpectSameUpToSummationOrder(c, w, x, amx, avx512);
        }
      }
    }
  }
}

// The AMX tile configuration is per thread and shared by kernels_amx.cc and
// kernels_amx_bf16.cc; Q4_K's calls of a few tokens load one with exactly their tokens as
// rows, and Q8_0's over the interleaved copy one of 32-value products. Calls that alternate
// shapes in one thread, across both files, must each run on the configuration they need: a
// stale one gives wrong rows (or a fault).
TEST(KernelsMatMul, AmxCallsOfChangingTileShapes) {
  if (!IsaSupported(Isa::kAmx)) {
    GTEST_SKIP() << "no amx path here: " << IsaUnsupportedReason(Isa::kAmx);
  }
  constexpr WeightLayout kGguf = WeightLayout::kGguf, kRows16 = WeightLayout::kRows16;
  const std::pair<Case, WeightLayout> calls[] = {
      {{TensorType::kQ4_K, 19, 512, 8}, kGguf},    {{TensorType::kQ8_0, 19, 512, 8}, kRows16},
      {{TensorType::kQ4_K, 19, 512, 8}, kRows16},  {{TensorType::kF16, 19, 512, 40}, kGguf},
      {{TensorType::kQ4_K, 19, 512, 7}, kGguf},    {{TensorType::kQ8_0, 19, 512, 33}, kGguf},
      {{TensorType::kQ8_0, 19, 512, 33}, kRows16}, {{TensorType::kQ4_K, 19, 512, 12}, kGguf},
      {{TensorType::kQ8_0, 19, 512, 6}, kRows16},  {{TensorType::kBF16, 19, 512, 20}, kGguf},
      {{TensorType::kQ6_K, 19, 512, 30}, kGguf},   {{TensorType::kQ4_K, 19, 512, 6}, kGguf}};
  for (const auto& [c, layout] : calls) {
    SCOPED_TRACE(Describe(c) + (layout == kRows16 ? " interleaved" : ""));
    Weights w = MakeWeights(c.type, c.rows, c.cols, 61);
    if (layout == kRows16) {
      const Weights gguf = w;
      ASSERT_TRUE(InterleaveRows16(c.type, gguf.data.data(), c.rows, c.cols, w.data).ok());
    }
    const std::vector<float> x = RandomFloats(c.n_tokens * c.cols, 67);
    const std::vector<float> amx =
        RunMatMul(Isa::kAmx, c, w, x, nullptr, ActPrecision::kInt8, layout);
    const std::vector<float> avx512 =
        RunMatMul(Isa::kAvx512, c, w, x, nullptr, ActPrecision::kInt8, layout);
    if (IsQuantized(c.type)) {
      EXPECT_EQ(amx, avx512);
    } else {
      ExpectSameUpToSummationOrder(c, w, x, amx, avx512);
    }
  }
}

// A call's tokens past its full tiles go through one AMX call whose last token tile is
// padded: every count that is not a multiple of 16 must still match AVX-512 bit for bit
// (and 1, AVX-512's own one-token kernel), F16 and BF16 up to summation order as above. 96
// columns are an odd number of 32-value blocks.
TEST(KernelsMatMul, AmxPartialTilesMatchAvx512) {
  if (!IsaSupported(Isa::kAmx)) {
    GTEST_SKIP() << "no amx path here: " << IsaUnsupportedReason(Isa::kAmx);
  }
  for (TensorType type : kTypes) {
    const int64_t cols = GetTypeTraits(type)->block_elems == 256 ? 512 : 96;
    const Weights w = MakeWeights(type, 17, cols, 41);
    const std::vector<float> x = RandomFloats(40 * cols, 43);
    for (int64_t n_tokens = 1; n_tokens <= 40; ++n_tokens) {
      if (n_tokens % 16 == 0) continue;
      const Case c{type, 17, cols, n_tokens};
      SCOPED_TRACE(Describe(c));
      const std::vector<float> amx = RunMatMul(Isa::kAmx, c, w, x, nullptr);
      const std::vector<float> avx512 = RunMatMul(Isa::kAvx512, c, w, x, nullptr);
      if (IsQuantized(type)) {
        EXPECT_EQ(amx, avx512);
      } else {
        ExpectSameUpToSummationOrder(c, w, x, amx, avx512);
      }
    }
  }
}

// The interleaved copy of Q8_0, Q4_0, Q4_1 and Q4_K weights (rows16_layout.h) is read by the
// same tiles in the same order: every kind of call (one token, the few-token tiles, full and
// partial AMX tiles, 16-token AVX-512 tiles, threads) gives the bits of GGUF's layout. 37
// rows: two interleaved groups and five rows left in GGUF's layout; 96 columns (Q4_K: 768)
// are an odd number of blocks.
TEST(KernelsMatMul, InterleavedRowsEqualGgufRows) {
  ThreadPool two(2);
  int checked = 0;
  for (Isa isa : kAllIsas) {
    for (TensorType type :
         {TensorType::kQ8_0, TensorType::kQ4_0, TensorType::kQ4_1, TensorType::kQ4_K}) {
      if (!ReadsRows16(isa, type)) continue;
      const int64_t odd_blocks = type == TensorType::kQ4_K ? 768 : 96;
      for (int64_t cols : {int64_t{2048}, odd_blocks}) {
        const Weights w = MakeWeights(type, 37, cols, 61);
        Weights interleaved = w;
        ASSERT_TRUE(InterleaveRows16(type, w.data.data(), 37, cols, interleaved.data).ok());
        EXPECT_NE(interleaved.data, w.data);
        const std::vector<float> x = RandomFloats(83 * cols, 67);
        for (int64_t n_tokens : {1, 2, 3, 5, 6, 8, 9, 16, 17, 64, 83}) {
          for (ActPrecision precision : {ActPrecision::kInt8, ActPrecision::kInt8x2}) {
            const Case c{type, 37, cols, n_tokens};
            SCOPED_TRACE(std::string(IsaName(isa)) + " " + Describe(c) +
                         (precision == ActPrecision::kInt8x2 ? " int8x2" : " int8"));
            const std::vector<float> gguf = RunMatMul(isa, c, w, x, &two, precision);
            std::vector<float> y(c.rows * n_tokens, NAN);
            ASSERT_TRUE(MatMulOnIsa(isa, type, interleaved.data.data(), c.rows, cols, x.data(),
                                    n_tokens, y.data(), &two, precision, {}, WeightLayout::kRows16)
                            .ok());
            EXPECT_EQ(y, gguf);
            ++checked;
          }
        }
      }
    }
  }
  if (checked == 0) GTEST_SKIP() << "no path here reads the interleaved layout";
}

// Only the AVX-512 and AMX paths read the interleaved layout, and only for its four types;
// MatMul refuses it elsewhere rather than reading the copy as GGUF's rows.
TEST(KernelsMatMul, InterleavedLayoutOnlyWhereAPathReadsIt) {
  for (TensorType type : {TensorType::kQ4_1, TensorType::kQ4_K}) {
    EXPECT_FALSE(ReadsRows16(Isa::kScalar, type));
    EXPECT_FALSE(ReadsRows16(Isa::kAvx2, type));
  }
  for (Isa isa : kAllIsas) {
    EXPECT_EQ(ReadsRows16(isa, TensorType::kQ4_K), ReadsRows16(isa, TensorType::kQ8_0));
    EXPECT_FALSE(ReadsRows16(isa, TensorType::kQ6_K));
  }
  const Weights w = MakeWeights(TensorType::kQ4_1, 16, 64, 3);
  const std::vector<float> x = RandomFloats(64, 4);
  std::vector<float> y(16);
  const Status s = MatMulOnIsa(Isa::kScalar, TensorType::kQ4_1, w.data.data(), 16, 64, x.data(), 1,
                               y.data(), nullptr, ActPrecision::kInt8, {}, WeightLayout::kRows16);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << s.ToString();
  std::vector<uint8_t> out(w.data.size());
  EXPECT_FALSE(InterleaveRows16(TensorType::kQ6_K, w.data.data(), 16, 256, out).ok());
  EXPECT_FALSE(InterleaveRows16(TensorType::kQ4_K, w.data.data(), 4, 128, out).ok());
  EXPECT_FALSE(InterleaveRows16(TensorType::kQ4_1, w.data.data(), 16, 48, out).ok());
  EXPECT_FALSE(InterleaveRows16(TensorType::kQ4_1, w.data.data(), 15, 64, out).ok());
}

// Q4_K's copy as rows16_layout.h spells it: every 32-bit word k of row r's super-block i at
// byte 64 * k + 4 * r of the group's super-block i; the rows after the last group as they were.
TEST(KernelsMatMul, InterleavedQ4_KStoresEveryWordTransposed) {
  constexpr int64_t kRows = 19, kCols = 512, kBlock = 144;
  const Weights w = MakeWeights(TensorType::kQ4_K, kRows, kCols, 5);
  std::vector<uint8_t> out(w.data.size());
  ASSERT_TRUE(InterleaveRows16(TensorType::kQ4_K, w.data.data(), kRows, kCols, out).ok());
  const int64_t row_bytes = 2 * kBlock;
  for (int64_t i = 0; i < 2; ++i) {
    for (int64_t k = 0; k < kBlock / 4; ++k) {
      for (int64_t r = 0; r < 16; ++r) {
        ASSERT_EQ(std::memcmp(out.data() + 16 * kBlock * i + 64 * k + 4 * r,
                              w.data.data() + r * row_bytes + kBlock * i + 4 * k, 4),
                  0)
            << "super-block " << i << " word " << k << " row " << r;
      }
    }
  }
  EXPECT_TRUE(std::equal(out.begin() + 16 * row_bytes, out.end(), w.data.begin() + 16 * row_bytes));
}

TEST(KernelsMatMul, DefaultPathMatchesItsIsa) {
  const Case c{TensorType::kQ4_0, 5, 64, 2};
  const Weights w = MakeWeights(c.type, c.rows, c.cols, 1);
  const std::vector<float> x = RandomFloats(c.n_tokens * c.cols, 2);
  std::vector<float> y(c.rows * c.n_tokens);
  ASSERT_TRUE(
      MatMul(c.type, w.data.data(), c.rows, c.cols, x.data(), c.n_tokens, y.data(), nullptr).ok());
  EXPECT_EQ(y, RunMatMul(ActiveIsa(), c, w, x, nullptr));
}

// The fused epilogue (bias add, GELU) runs the separate ops' float operations, so fusing
// changes no bit, whatever the threads and tiles; 37 rows: two 16-row tasks and a leftover.
TEST(KernelsMatMul, EpilogueEqualsBiasAndGeluAfterTheProduct) {
  ThreadPool two(2);
  for (Isa isa : kAllIsas) {
    if (!IsaSupported(isa)) continue;
    for (TensorType type : {TensorType::kF16, TensorType::kQ8_0, TensorType::kQ4_1}) {
      for (int64_t n_tokens : {1, 19}) {
        const Case c{type, 37, 256, n_tokens};
        SCOPED_TRACE(std::string(IsaName(isa)) + " " + Describe(c));
        const Weights w = MakeWeights(c.type, c.rows, c.cols, 31);
        const std::vector<float> x = RandomFloats(c.n_tokens * c.cols, 37);
        const std::vector<float> bias = RandomFloats(c.rows, 41);
        std::vector<float> separate = RunMatMul(isa, c, w, x, &two);
        for (int64_t t = 0; t < c.n_tokens; ++t) {
          for (int64_t r = 0; r < c.rows; ++r) separate[t * c.rows + r] += bias[r];
        }
        Gelu(isa, separate.data(), separate.data(), static_cast<int64_t>(separate.size()));
        std::vector<float> fused(c.rows * c.n_tokens, NAN);
        ASSERT_TRUE(MatMulOnIsa(isa, c.type, w.data.data(), c.rows, c.cols, x.data(), c.n_tokens,
                                fused.data(), &two, ActPrecision::kInt8, {bias.data(), true})
                        .ok());
        EXPECT_EQ(fused, separate);
      }
    }
  }
}

// Gemma's fused epilogues: GeGLU with the product as its up (the gate another value laid out
// as the output) and soft-capping, bit for bit the separate ops after the product.
TEST(KernelsMatMul, EpilogueEqualsGeGLUAndSoftCapAfterTheProduct) {
  ThreadPool two(2);
  for (Isa isa : kAllIsas) {
    if (!IsaSupported(isa)) continue;
    for (TensorType type : {TensorType::kQ4_K, TensorType::kQ6_K}) {
      for (int64_t n_tokens : {1, 19}) {
        const Case c{type, 37, 256, n_tokens};
        SCOPED_TRACE(std::string(IsaName(isa)) + " " + Describe(c));
        const Weights w = MakeWeights(c.type, c.rows, c.cols, 53);
        const std::vector<float> x = RandomFloats(c.n_tokens * c.cols, 59);
        const std::vector<float> gate = RandomFloats(c.rows * c.n_tokens, 61);
        const std::vector<float> product = RunMatMul(isa, c, w, x, &two);
        const auto n = static_cast<int64_t>(product.size());
        std::vector<float> geglu(product.size()), capped(product.size());
        GeGLU(isa, gate.data(), product.data(), geglu.data(), n);
        SoftCap(isa, product.data(), 3.0f, capped.data(), n);
        auto fused = [&](const MatMulEpilogue& epilogue) {
          std::vector<float> y(product.size(), NAN);
          EXPECT_TRUE(MatMulOnIsa(isa, c.type, w.data.data(), c.rows, c.cols, x.data(), c.n_tokens,
                                  y.data(), &two, ActPrecision::kInt8, epilogue)
                          .ok());
          return y;
        };
        EXPECT_EQ(fused({.geglu_gate = gate.data()}), geglu);
        EXPECT_EQ(fused({.softcap = 3.0f}), capped);
      }
    }
  }
}

// GeGLU and soft-capping on every path against their forms in double, over tanh's linear and
// saturated ranges and across the chunks they are computed in (600 elements).
TEST(KernelsMatMul, GeGLUAndSoftCapMatchTheirFormsOnEveryPath) {
  std::vector<float> gate = RandomFloats(600, 67), up = RandomFloats(600, 71);
  for (float& v : gate) v *= 6.0f;
  const auto n = static_cast<int64_t>(gate.size());
  for (Isa isa : kAllIsas) {
    if (!IsaSupported(isa)) continue;
    SCOPED_TRACE(std::string(IsaName(isa)));
    std::vector<float> geglu(gate.size()), capped(gate.size());
    GeGLU(isa, gate.data(), up.data(), geglu.data(), n);
    SoftCap(isa, gate.data(), 2.5f, capped.data(), n);
    for (size_t i = 0; i < gate.size(); ++i) {
      const double g = gate[i];
      const double inner = std::sqrt(2 / std::numbers::pi) * (g + 0.044715 * g * g * g);
      const double ref = 0.5 * g * (1 + std::tanh(inner)) * up[i];
      EXPECT_NEAR(geglu[i], ref, 1e-6 * (1 + std::fabs(ref))) << "gate = " << g;
      const double cap_ref = 2.5 * std::tanh(g / 2.5);
      EXPECT_NEAR(capped[i], cap_ref, 1e-6 * (1 + std::fabs(cap_ref))) << "x = " << g;
    }
  }
}

// GELU on every path against the exact form in double, including a partial last register.
TEST(KernelsMatMul, GeluMatchesTheExactFormOnEveryPath) {
  std::vector<float> x = RandomFloats(37, 43);
  for (float& v : x) v *= 4.0f;
  for (Isa isa : kAllIsas) {
    if (!IsaSupported(isa)) continue;
    SCOPED_TRACE(std::string(IsaName(isa)));
    std::vector<float> y(x.size());
    Gelu(isa, x.data(), y.data(), static_cast<int64_t>(x.size()));
    for (size_t i = 0; i < x.size(); ++i) {
      const double v = x[i], ref = 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
      EXPECT_NEAR(y[i], ref, 1e-6 * (1 + std::fabs(ref))) << "x = " << x[i];
    }
  }
}

// LayerNorm gives the scalar path's bits on every path (widths with partial last registers
// of 8 and 16 included, with and without the bias, in place too), and the scalar path
// normalizes: each row's output before w and bias has mean 0 and variance 1.
TEST(KernelsMatMul, LayerNormIsTheScalarPathsOnEveryPath) {
  for (int64_t width : {8, 13, 24, 37, 768}) {
    SCOPED_TRACE(width);
    constexpr int64_t kRows = 3;
    std::vector<float> x = RandomFloats(kRows * width, 61);
    for (float& v : x) v = 3.0f * v + 0.5f;
    const std::vector<float> w = RandomFloats(width, 62), bias = RandomFloats(width, 63);
    const std::vector<float> ones(static_cast<size_t>(width), 1.0f);
    std::vector<float> unit(x.size());
    LayerNorm(Isa::kScalar, x.data(), ones.data(), nullptr, unit.data(), kRows, width, 1e-12f);
    for (int64_t r = 0; r < kRows; ++r) {
      double mean = 0, sq = 0;
      for (int64_t i = 0; i < width; ++i) mean += unit[r * width + i];
      for (int64_t i = 0; i < width; ++i) sq += unit[r * width + i] * unit[r * width + i];
      EXPECT_NEAR(mean / width, 0.0, 1e-6);
      EXPECT_NEAR(sq / width, 1.0, 1e-5);
    }
    for (const float* b : {static_cast<const float*>(nullptr), bias.data()}) {
      std::vector<float> ref(x.size());
      LayerNorm(Isa::kScalar, x.data(), w.data(), b, ref.data(), kRows, width, 1e-5f);
      for (Isa isa : kAllIsas) {
        if (!IsaSupported(isa)) continue;
        SCOPED_TRACE(std::string(IsaName(isa)));
        std::vector<float> y(x.size());
        LayerNorm(isa, x.data(), w.data(), b, y.data(), kRows, width, 1e-5f);
        EXPECT_EQ(y, ref);
        std::vector<float> in_place = x;
        LayerNorm(isa, in_place.data(), w.data(), b, in_place.data(), kRows, width, 1e-5f);
        EXPECT_EQ(in_place, ref);
      }
    }
  }
}

// The residual add on every path, a partial last register included, in place too.
TEST(KernelsMatMul, AddIsExactOnEveryPath) {
  const std::vector<float> a = RandomFloats(37, 71), b = RandomFloats(37, 72);
  std::vector<float> sum(a.size());
  for (size_t i = 0; i < a.size(); ++i) sum[i] = a[i] + b[i];
  for (Isa isa : kAllIsas) {
    if (!IsaSupported(isa)) continue;
    SCOPED_TRACE(std::string(IsaName(isa)));
    std::vector<float> y(a.size());
    Add(isa, a.data(), b.data(), y.data(), static_cast<int64_t>(a.size()));
    EXPECT_EQ(y, sum);
    std::vector<float> in_place = a;
    Add(isa, in_place.data(), b.data(), in_place.data(), static_cast<int64_t>(a.size()));
    EXPECT_EQ(in_place, sum);
  }
}

TEST(KernelsMatMul, RejectsBadArguments) {
  std::vector<uint8_t> w(4096);
  std::vector<float> x(512), y(512);
  auto call = [&](TensorType t, int64_t rows, int64_t cols, const float* xp) {
    return MatMul(t, w.data(), rows, cols, xp, 1, y.data(), nullptr);
  };
  EXPECT_EQ(call(TensorType::kQ8_0, 1, 33, x.data()).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(call(TensorType::kQ4_K, 1, 128, x.data()).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(call(TensorType::kQ8_0, 0, 32, x.data()).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(call(TensorType::kQ8_0, 1, 32, nullptr).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(call(TensorType::kQ8_K, 1, 256, x.data()).code(), ErrorCode::kUnsupported);
  EXPECT_EQ(call(static_cast<TensorType>(99), 1, 32, x.data()).code(), ErrorCode::kUnsupported);
  EXPECT_FALSE(MatMulSupports(TensorType::kQ8_K));
  EXPECT_TRUE(MatMulSupports(TensorType::kQ6_K));
  EXPECT_TRUE(MatMulSupports(TensorType::kIQ3_S));
}

}  // namespace
}  // namespace hfd::cpu
