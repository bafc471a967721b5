// The AVX-512 path (F/BW/VL/DQ + VNNI; Zen 4/5, Ice Lake and later): 512-bit weight
// kernels for every weight type, on top of the shared 256-bit code (helpers, activation
// quantization, F16 conversions; its int8 dot products become vpdpbusd here), which also
// supplies the table's starting point. Every quantized type runs as 16-row tiles with rows in
// lanes (docs/cpu-kernels.md); F32, F16 and BF16 as 4-row x 6-token tiles.
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "backends/cpu/kernels/kernel_table.h"
#include "backends/cpu/kernels/libmvec.h"
#include "engine/quant/blocks.h"
#include "engine/quant/iq_tables.h"
#include "engine/quant/k_scales.h"
#include "engine/quant/mxfp4_tables.h"

namespace hfd::cpu {
namespace {
#include "backends/cpu/kernels/kernels_x86.inc"

// Loops over tokens and registers are unrolled explicitly (#pragma GCC unroll) so the
// accumulator arrays live in registers rather than on the stack.
//
// Each kernel below is written once for N tokens and instantiated for N = 1 (decode) and
// N = 4 (prefill: the weights are loaded and unpacked once for four tokens). Every token
// goes through the same operations in the same order for any N, so batching tokens does
// not change a result by even one bit.

#include "backends/cpu/kernels/kernels_avx512_tiles.inc"

// After the tiles: builds on their transposes.
#include "backends/cpu/kernels/kernels_avx512_lowbit.inc"

#include "backends/cpu/kernels/kernels_avx512_iq3.inc"

struct Vec512 {
  using Reg = __m512;
  static constexpr int kLanes = 16;
  static Reg Zero() { return _mm512_setzero_ps(); }
  static Reg Set1(float v) { return _mm512_set1_ps(v); }
  static Reg Load(const float* p) { return _mm512_loadu_ps(p); }
  static void Store(float* p, Reg v) { _mm512_storeu_ps(p, v); }
  static Reg LoadF16(const uint16_t* p) { return _mm512_cvtph_ps(Load256(p)); }
  static Reg LoadBf16(const uint16_t* p) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(Load256(p)), 16));
  }
  static Reg Fma(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  static Reg Mul(Reg a, Reg b) { return _mm512_mul_ps(a, b); }
  static Reg Add(Reg a, Reg b) { return _mm512_add_ps(a, b); }
  static Reg Erf(Reg v) { return _ZGVeN16v_erff(v); }
  static Reg Tanh(Reg v) { return _ZGVeN16v_tanhf(v); }
  static float Reduce(Reg v) { return _mm512_reduce_add_ps(v); }
};

// LayerNorm with the scalar path's double operations in its order: lane k of `part` is its
// partial sum k (term i into part i % 8), summed pairwise as it does. The products use the
// rounding-mode forms, which the compiler does not fuse into FMAs with the adds after them
// (the scalar path rounds each product).
constexpr int kNearest = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;

// Lanes below `left` (all 8 or 16 when more are left, none when none is).
inline __mmask8 Below8(int64_t left) {
  return static_cast<__mmask8>(left >= 8 ? 0xFF : (1u << std::max<int64_t>(left, 0)) - 1);
}
inline __mmask16 Below16(int64_t left) {
  return static_cast<__mmask16>(left >= 16 ? 0xFFFF : (1u << std::max<int64_t>(left, 0)) - 1);
}

double PairwiseSum(__m512d part) {
  alignas(64) double p[8];
  _mm512_store_pd(p, part);
  return ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
}

void LayerNormRows512(const float* x, const float* w, const float* bias, float* y, int64_t rows,
                      int64_t width, float eps) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = x + r * width;
    float* out = y + r * width;
    auto load8 = [&](int64_t i, __mmask8 m) {
      return _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, in + i));
    };
    __m512d part = _mm512_setzero_pd();
    for (int64_t i = 0; i < width; i += 8) {
      const __mmask8 m = Below8(width - i);
      part = _mm512_mask_add_pd(part, m, part, load8(i, m));
    }
    const __m512d mean = _mm512_set1_pd(PairwiseSum(part) / static_cast<double>(width));
    part = _mm512_setzero_pd();
    for (int64_t i = 0; i < width; i += 8) {
      const __mmask8 m = Below8(width - i);
      const __m512d d = _mm512_sub_pd(load8(i, m), mean);
      part = _mm512_mask_add_pd(part, m, part, _mm512_mul_round_pd(d, d, kNearest));
    }
    const double var = PairwiseSum(part) / static_cast<double>(width);
    const __m512d scale = _mm512_set1_pd(1.0 / std::sqrt(var + eps));
    for (int64_t i = 0; i < width; i += 16) {
      const __mmask16 m = Below16(width - i);
      auto normed8 = [&](int64_t at) {
        const __m512d d = _mm512_sub_pd(load8(at, Below8(width - at)), mean);
        return _mm512_cvtpd_ps(_mm512_mul_round_pd(d, scale, kNearest));
      };
      const __m512 normed =
          _mm512_insertf32x8(_mm512_castps256_ps512(normed8(i)), normed8(i + 8), 1);
      __m512 v = _mm512_mul_round_ps(normed, _mm512_maskz_loadu_ps(m, w + i), kNearest);
      if (bias != nullptr) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, bias + i));
      _mm512_mask_storeu_ps(out + i, m, v);
    }
  }
}

// Six tokens share each weight load: 24 accumulators, four weights and one activation are
// 29 of the 32 zmm registers.
constexpr int kFloatTileTokens512 = 6;

// Index vectors that spread 16-bit scales over the 32 int16 lanes of a register, for
// vpermw: row k takes scales from `first = k * per_row`, `lanes_per_scale` lanes each
// (8 lanes = 16 values for Q6_K).
struct SpreadTable {
  alignas(64) int16_t idx[4][32];
};

constexpr SpreadTable MakeSpread(int per_row, int lanes_per_scale) {
  SpreadTable t{};
#pragma GCC unroll 16
  for (int k = 0; k < 4; ++k) {
    for (int l = 0; l < 32; ++l)
      t.idx[k][l] = static_cast<int16_t>(k * per_row + l / lanes_per_scale);
  }
  return t;
}

constexpr SpreadTable kSpreadQ6 = MakeSpread(4, 8);

inline __m512i ScaleSpread(const SpreadTable& table, int k) {
  return _mm512_load_si512(table.idx[k]);
}

// One row's bytes this far ahead of the block being read are fetched into L1: a row is
// read alone, one stream, and the hardware prefetchers stop at each 4 KiB page.
constexpr int64_t kRowPrefetchBytes = 2048;

template <typename Block>
inline void PrefetchRowAhead(const Block* block) {
  const char* ahead = reinterpret_cast<const char*>(block) + kRowPrefetchBytes;
  for (size_t o = 0; o < sizeof(Block); o += 64) _mm_prefetch(ahead + o, _MM_HINT_T0);
}

// Q6_K one row at a time: per 128 values, one 64-byte load of ql gives values 0..63 (low
// nibbles) and 64..127 (high nibbles); the two high bits come from qh shifted per 256-bit
// half. The super-block's int32 sum is exact and reduced before its one FMA, which is
// TileQ6_K16's order.
float RowQ6_K(int64_t n, const uint8_t* w, const ActRow& x) {
  const BlockQ6_K* b = reinterpret_cast<const BlockQ6_K*>(w);
  const __m512i low4 = _mm512_set1_epi8(0x0F);
  const __m512i bits45 = _mm512_set1_epi8(0x30);
  // Shift counts that bring qh bits (0,1) | (2,3) and (4,5) | (6,7) to bits 4 and 5.
  const __m512i shl_a = Join(_mm256_set1_epi16(4), _mm256_set1_epi16(2));
  const __m512i shr_b = Join(_mm256_set1_epi16(0), _mm256_set1_epi16(2));
  const __m512i spread[4] = {ScaleSpread(kSpreadQ6, 0), ScaleSpread(kSpreadQ6, 1),
                             ScaleSpread(kSpreadQ6, 2), ScaleSpread(kSpreadQ6, 3)};
  float acc = 0.0f;
  for (int64_t i = 0; i < n / kQKK; ++i) {
    PrefetchRowAhead(b + i);
    const __m128i scales8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b[i].scales));
    const __m512i scales = _mm512_cvtepi8_epi16(_mm256_zextsi128_si256(scales8));
    const int8_t* xq = x.qs + i * kQKK;
    // The -32 bias of every value meets the activations' sub-block sums: isum starts at
    // -32 * sc_s * sum_s per sub-block s, as int16 products (|sum_s| <= 2032 and |32 sc_s| <=
    // 4096 fit) in the low halves of the int32 lanes, the high halves zero.
    const __m512i bias_scales = _mm512_cvtepu16_epi32(
        _mm512_castsi512_si256(_mm512_mullo_epi16(scales, _mm512_set1_epi16(-32))));
    __m512i isum = _mm512_madd_epi16(Load512(x.sum16 + i * 16), bias_scales);
#pragma GCC unroll 2
    for (int64_t h = 0; h < 2; ++h) {
      const __m512i ql = Load512(b[i].ql + 64 * h);
      const __m512i qh = _mm512_broadcast_i64x4(Load256(b[i].qh + 32 * h));
      const __m512i lo = _mm512_or_si512(_mm512_and_si512(ql, low4),
                                         _mm512_and_si512(_mm512_sllv_epi16(qh, shl_a), bits45));
      const __m512i hi = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), low4),
                                         _mm512_and_si512(_mm512_srlv_epi16(qh, shr_b), bits45));
      isum = _mm512_dpwssd_epi32(isum, _mm512_maddubs_epi16(lo, Load512(xq + 128 * h)),
                                 _mm512_permutexvar_epi16(spread[2 * h], scales));
      isum = _mm512_dpwssd_epi32(isum, _mm512_maddubs_epi16(hi, Load512(xq + 128 * h + 64)),
                                 _mm512_permutexvar_epi16(spread[2 * h + 1], scales));
    }
    const int32_t total = _mm512_reduce_add_epi32(isum);
    acc = FmaScalar(static_cast<float>(total), Half(b[i].d) * x.d[i], acc);
  }
  return acc;
}

KernelTable MakeAvx512Table() {
  KernelTable t = MakeX86Table();
  t.f32 = FloatKernel<Vec512, kFloatTileTokens512, F32Weights<Vec512>>();
  t.f16 = FloatKernel<Vec512, kFloatTileTokens512, F16Weights<Vec512>>();
  t.bf16 = FloatKernel<Vec512, kFloatTileTokens512, Bf16Weights<Vec512>>();
  t.q8_0 = SymmetricKernel<Q8_0Blocks, BlockQ8_0>();
  t.q4_0 = SymmetricKernel<Q4_0Blocks, BlockQ4_0>();
  t.q5_0 = SymmetricKernel<Q5_0Blocks, BlockQ5_0>();
  t.q4_1 = SymmetricKernel<Q4_1Blocks, BlockQ4_1>();
  t.q8_0_rows16 = InterleavedTileKernel<Q8_0Blocks, BlockQ8_0>();
  t.q4_0_rows16 = InterleavedTileKernel<Q4_0Blocks, BlockQ4_0>();
  t.q4_1_rows16 = InterleavedTileKernel<Q4_1Blocks, BlockQ4_1>();
  t.q5_1 = SymmetricKernel<Q5_1Blocks, BlockQ5_1>();
  t.iq4_nl = SymmetricKernel<IQ4_NLBlocks, BlockIQ4_NL>();
  t.mxfp4 = SymmetricKernel<MXFP4Blocks, BlockMXFP4>();
  t.q4_k = {ActKind::kQ8x256, RowQ4_K, nullptr, Q4_KTileKernel<Q4_KGgufRows16>()};
  t.q4_k_rows16 = Q4_KTileKernel<Q4_KInterleavedRows16>();
  t.q5_k = LowBit16Kernel<Q5_KUnpack16>();
  t.q6_k = {ActKind::kQ8x256,
            RowQ6_K,
            nullptr,
            {TileQ6_K16<kQ6_KTileTokens>, nullptr, kSymTileRows, kQ6_KTileTokens,
             FewTokenTiles<Q6_KTiles>, 2}};
  t.q2_k = LowBit16Kernel<Q2_KUnpack16>();
  t.q3_k = LowBit16Kernel<Q3_KUnpack16>();
  t.iq4_xs = LowBit16Kernel<IQ4_XSUnpack16>();
  t.iq3_xxs = LowBit16Kernel<IQ3_XXSUnpack16>();
  t.iq3_s = LowBit16Kernel<IQ3_SUnpack16>();
  t.dot_f16_rows = DotF16Rows<Vec512>;
  t.axpy_f16_rows = AxpyF16Rows<Vec512>;
  t.gelu = GeluRows<Vec512>;
  t.tanh = TanhRows<Vec512>;
  t.add = AddRows<Vec512>;
  t.layer_norm = LayerNormRows512;
  return t;
}

}  // namespace

const KernelTable& Avx512KernelTable() {
  static const KernelTable table = MakeAvx512Table();
  return table;
}

}  // namespace hfd::cpu
