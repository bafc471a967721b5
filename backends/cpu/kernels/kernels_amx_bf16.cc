// The AMX path's prefill tiles for F16 and BF16 weights: 16 weight rows x 16 to 64 tokens
// per call by AMX-BF16 (TDPBF16PS: C[t][r] += sum over k of A[t][k] * B[k][r], BF16 products
// summed in FP32). Compiled with -mamx-tile -mamx-bf16 -mavx512bf16 on top of the AVX-512
// flags; installed only where the CPU has AMX-BF16.
//
// Activations are not rounded to BF16: they come split into three BF16 parts whose sum is the
// float exactly (ActKind::kF32Bf16x3, split once per MatMul call); BF16 weights are one part,
// F16 weights two (an F16 value has 11 significant bits, a BF16 one 8: hi + lo is exact).
// Each block of 32 values takes the products hi*x_hi, lo*x_hi, hi*x_mid, lo*x_mid, hi*x_lo
// (F16) or w*x_hi, w*x_mid, w*x_lo (BF16): only lo*x_lo (under 2^-21 of a product) is left
// out, so results differ from the float kernels' by summation order alone, well inside the op
// test's tolerance. (llama.cpp rounds the activations to one BF16 instead: 2^-9.)
//
// A tile row's sums depend on that row alone, so a token's result does not depend on which
// tile computed it; single tokens (decode, leftovers) stay on the AVX-512 float kernel, whose
// sums run in another order. Weights are transposed per call into VNNI order (tile row k
// holds values 2k and 2k + 1 of every weight row), so the model's memory map stays the only
// copy.
#include <cpuid.h>
#include <immintrin.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "backends/cpu/kernels/amx_tiles.h"
#include "backends/cpu/kernels/kernel_table.h"
#include "backends/cpu/kernels/libmvec.h"
#include "engine/quant/blocks.h"
#include "engine/quant/iq_tables.h"
#include "engine/quant/k_scales.h"
#include "engine/quant/mxfp4_tables.h"

namespace hfd::cpu {
namespace {
// The shared code defines more kernels than this file uses; it gives the transposes.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "backends/cpu/kernels/kernels_x86.inc"

#include "backends/cpu/kernels/kernels_avx512_tiles.inc"
#pragma GCC diagnostic pop

// Tokens per tile (its rows); values per block (one 64-byte tile row of BF16).
constexpr int64_t kTileTokens = 16;
static_assert(kTileTokens == kBf16x3GroupTokens);
constexpr int64_t kBlock = 32;

// Tiles: results (16 tokens x 16 weight rows, FP32) 0 to 3, activation parts 4 and 5, the
// weights' parts 6 (hi) and 7 (lo, F16 only).
struct alignas(64) BTile {
  uint16_t v[kBlock * kTileTokens];
};
template <bool kF16>
struct WeightTiles {
  BTile part[kF16 ? 2 : 1];
};

HFD_TILE_INLINE __m512i ToBf16(__m512 lo16, __m512 hi16) {
  return std::bit_cast<__m512i>(_mm512_cvtne2ps_pbh(hi16, lo16));
}

// 32 floats (f[0]: the first 16) cut to their leading BF16 (the upper 16 bits: exact, so the
// conversion does not round); f becomes what is left, exactly.
HFD_TILE_INLINE __m512i TakeBf16(__m512* f) {
  const __m512 upper = _mm512_castsi512_ps(_mm512_set1_epi32(static_cast<int32_t>(0xFFFF0000u)));
  const __m512 h0 = _mm512_and_ps(f[0], upper), h1 = _mm512_and_ps(f[1], upper);
  f[0] = _mm512_sub_ps(f[0], h0);
  f[1] = _mm512_sub_ps(f[1], h1);
  return ToBf16(h0, h1);
}

// Values i..i+n-1 of 16-value lanes: the mask of those below `left`.
HFD_TILE_INLINE __mmask16 Below(int64_t left) {
  return left >= 16 ? static_cast<__mmask16>(0xFFFF)
                    : static_cast<__mmask16>((1u << (left > 0 ? left : 0)) - 1);
}

void SplitBf16x3(const float* x, int64_t n, uint16_t* row) {
  for (int64_t i = 0; i < n; i += kBlock, row += kBf16x3BlockElems) {
    __m512 f[2] = {_mm512_maskz_loadu_ps(Below(n - i), x + i),
                   _mm512_maskz_loadu_ps(Below(n - i - 16), x + i + 16)};
    _mm512_storeu_si512(row, TakeBf16(f));
    _mm512_storeu_si512(row + kBf16x3PartElems, TakeBf16(f));
    _mm512_storeu_si512(row + 2 * kBf16x3PartElems, ToBf16(f[0], f[1]));
  }
}

// Block j (values 32j.., zeros past n) of 16 rows as B tiles. The raw 16-bit values are
// transposed as pairs, so an F16 pair converts in place.
template <bool kF16>
HFD_TILE_INLINE void PrepareBlock(const uint8_t* w, int64_t row_bytes, int64_t n, int64_t j,
                                  WeightTiles<kF16>* b) {
  const int64_t at = kBlock * j;
  __m512i t[16];
#pragma GCC unroll 2
  for (int64_t h = 0; h < 2; ++h) {
    const __mmask16 mask = Below(n - at - 16 * h);
    TransposeWords16(
        [&](int r) {
          return _mm256_maskz_loadu_epi16(
              mask, reinterpret_cast<const uint16_t*>(w + r * row_bytes) + at + 16 * h);
        },
        t + 8 * h);
  }
#pragma GCC unroll 16
  for (int k = 0; k < 16; ++k) {
    if constexpr (kF16) {
      __m512 f[2] = {_mm512_cvtph_ps(_mm512_castsi512_si256(t[k])),
                     _mm512_cvtph_ps(_mm512_extracti64x4_epi64(t[k], 1))};
      _mm512_store_si512(b->part[0].v + 32 * k, TakeBf16(f));
      _mm512_store_si512(b->part[1].v + 32 * k, ToBf16(f[0], f[1]));
    } else {
      _mm512_store_si512(b->part[0].v + 32 * k, t[k]);
    }
  }
}

// One activation part's products for result tiles R0 and R1 (R1 where kTwo) from the part's
// block starts A0 and A1: the weights' hi part, then their lo part where `lo`. A macro
// because GCC's tile intrinsics take the tile numbers as literals (they paste them into the
// instruction).
#define HFD_PART_PRODUCTS(R0, R1, kTwo, A0, A1)     \
  do {                                              \
    _tile_loadd(4, A0, 64);                         \
    if constexpr (kTwo) _tile_loadd(5, A1, 64);     \
    _tile_dpbf16ps(R0, 4, 6);                       \
    if constexpr (kTwo) _tile_dpbf16ps(R1, 5, 6);   \
    if (lo) {                                       \
      _tile_dpbf16ps(R0, 4, 7);                     \
      if constexpr (kTwo) _tile_dpbf16ps(R1, 5, 7); \
    }                                               \
  } while (false)

// One block's products for kGroups token groups (result tiles 0 to kGroups - 1) whose
// activation block starts are a[0..kGroups-1]. Every result tile sees the same products in
// the same order (hi*x_hi, lo*x_hi, hi*x_mid, lo*x_mid, hi*x_lo), so a token's sums do not
// depend on how many groups its call has. Tiles are not renamed, so consecutive products go
// to different result tiles where there are several and read different activation tiles:
// none waits for the one before it.
template <int kGroups, bool kF16>
HFD_TILE_INLINE void AmxProducts(const uint16_t* const* a) {
#pragma GCC unroll 3
  for (int q = 0; q < 3; ++q) {
    const int64_t at = q * kBf16x3PartElems;
    const bool lo = kF16 && q < 2;
    HFD_PART_PRODUCTS(0, 1, (kGroups > 1), a[0] + at, a[1] + at);
    if constexpr (kGroups > 2) HFD_PART_PRODUCTS(2, 3, (kGroups > 3), a[2] + at, a[3] + at);
  }
}
#undef HFD_PART_PRODUCTS

// Result tile g (token group g) into y; a partial group (fewer than 16 of the call's
// `n_tokens` from it) through a buffer, its padding rows dropped (ActivationBuffer allocates
// whole groups).
HFD_TILE_INLINE void StoreGroup(int g, int n_tokens, float* y, int64_t y_stride) {
  const int left = n_tokens - g * static_cast<int>(kTileTokens);
  float* at = y + g * kTileTokens * y_stride;
  alignas(64) float part[kTileTokens * kSymTileRows];
  const bool whole = left >= kTileTokens;
  float* to = whole ? at : part;
  const int64_t bytes = (whole ? y_stride : kSymTileRows) * static_cast<int64_t>(sizeof(float));
  switch (g) {
    case 0:
      _tile_stored(0, to, bytes);
      break;
    case 1:
      _tile_stored(1, to, bytes);
      break;
    case 2:
      _tile_stored(2, to, bytes);
      break;
    default:
      _tile_stored(3, to, bytes);
      break;
  }
  if (whole) return;
  for (int64_t k = 0; k < left; ++k) {
    std::memcpy(at + k * y_stride, part + k * kSymTileRows, sizeof(float) * kSymTileRows);
  }
}

// n_tokens tokens (16 * (kGroups - 1) < n_tokens <= 16 * kGroups) x 16 rows, each weight block
// transposed once for all of them. x's rows are one ActivationBuffer's tokens, the first the
// first of its group (MatMul's tiles start at multiples of 16 tokens).
template <int kGroups, bool kF16>
void AmxFloat16(int64_t n, const uint8_t* w, int64_t row_bytes, const ActRow* x, int n_tokens,
                float* y, int64_t y_stride) {
  static_assert(kGroups >= 1 && kGroups <= 4);
  UseTiles();
  _tile_zero(0);
  if constexpr (kGroups > 1) _tile_zero(1);
  if constexpr (kGroups > 2) _tile_zero(2);
  if constexpr (kGroups > 3) _tile_zero(3);
  // Block j + 1 is transposed while the tiles multiply block j.
  WeightTiles<kF16> b[2];
  const int64_t n_blocks = Bf16x3Blocks(n);
  PrepareBlock<kF16>(w, row_bytes, n, 0, &b[0]);
  for (int64_t j = 0; j < n_blocks; ++j) {
    const WeightTiles<kF16>& cur = b[j % 2];
    _tile_loadd(6, cur.part[0].v, 64);
    if constexpr (kF16) _tile_loadd(7, cur.part[1].v, 64);
    const int64_t at = kBf16x3BlockElems * j;
    const uint16_t* a[kGroups];
    for (int g = 0; g < kGroups; ++g) a[g] = x[g * kTileTokens].bf16x3 + at;
    AmxProducts<kGroups, kF16>(a);
    if (j + 1 < n_blocks) {
      PrefetchNextTile<kSymTileRows>(w, row_bytes, (j + 1) * kBlock * 2, kBlock * 2);
      PrepareBlock<kF16>(w, row_bytes, n, j + 1, &b[(j + 1) % 2]);
    }
  }
  for (int g = 0; g < kGroups; ++g) StoreGroup(g, n_tokens, y, y_stride);
}

// MatMul's full calls: 64 tokens.
template <bool kF16>
void AmxFloat16Full(int64_t n, const uint8_t* w, int64_t row_bytes, const ActRow* x, float* y,
                    int64_t y_stride) {
  AmxFloat16<4, kF16>(n, w, row_bytes, x, 4 * kTileTokens, y, y_stride);
}

// One token (decode, leftovers) x 16 rows: the AVX-512 float kernel on the floats, a few
// rows at a time. Decode reads each weight once, so a tile would only add the transposes.
template <bool kF16>
void Avx512OneToken16(int64_t n, const uint8_t* w, int64_t row_bytes, const ActRow* x, float* y,
                      int64_t y_stride) {
  const TileKernel& avx512 = (kF16 ? Avx512KernelTable().f16 : Avx512KernelTable().bf16).tile;
  for (int r = 0; r < kSymTileRows; r += avx512.rows) {
    avx512.one(n, w + r * row_bytes, row_bytes, x, y + r, y_stride);
  }
}

// The 16 to 63 tokens left after the 64-token calls (their first the first of a group), or a
// call's only ones: all in one call, so the weights are transposed once for them.
template <bool kF16>
void AmxFloat16Rest(int64_t n, const uint8_t* w, int64_t row_bytes, const ActRow* x, int n_tokens,
                    float* y, int64_t y_stride) {
  switch ((n_tokens + kTileTokens - 1) / kTileTokens) {
    case 1:
      return AmxFloat16<1, kF16>(n, w, row_bytes, x, n_tokens, y, y_stride);
    case 2:
      return AmxFloat16<2, kF16>(n, w, row_bytes, x, n_tokens, y, y_stride);
    case 3:
      return AmxFloat16<3, kF16>(n, w, row_bytes, x, n_tokens, y, y_stride);
    default:
      return AmxFloat16<4, kF16>(n, w, row_bytes, x, n_tokens, y, y_stride);
  }
}

template <bool kF16>
void UseAmxBf16(WeightKernel* k) {
  k->act = ActKind::kF32Bf16x3;
  k->dot4 = nullptr;
  // Fewer than a group's tokens go to `one`: ActivationBuffer splits no parts for a call of
  // fewer than 16 tokens, and one token's tile would pay the transposes for one token.
  k->tile = {AmxFloat16Full<kF16>, Avx512OneToken16<kF16>, kSymTileRows,
             4 * kTileTokens,      AmxFloat16Rest<kF16>,   kTileTokens};
}

// AMX-BF16: CPUID leaf 7 subleaf 0, EDX bit 22 (the tile state itself isa.cc has asked for).
bool HasAmxBf16() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
  return (edx & (1u << 22)) != 0;
}

}  // namespace

void SetAmxBf16Kernels(KernelTable* t) {
  if (!HasAmxBf16()) return;
  t->split_bf16x3 = SplitBf16x3;
  // `dot` stays the AVX-512 one on the floats: MatMul runs it on rows past the last 16.
  UseAmxBf16<true>(&t->f16);
  UseAmxBf16<false>(&t->bf16);
}

}  // namespace hfd::cpu
