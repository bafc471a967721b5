// The AMX path: the AVX-512 path with its prefill tiles (16 weight rows x up to 64 tokens) of
// Q8_0, Q4_0, Q5_0, Q4_1, Q5_1, IQ4_NL, MXFP4, Q4_K, Q5_K, Q6_K, Q3_K, Q2_K, IQ4_XS, IQ3_XXS
// and IQ3_S computed by AMX-INT8 tile instructions (Sapphire Rapids and later). Decode (one token)
// and calls of up to eight tokens (sequences decoded together) stay on the AVX-512 kernels,
// except Q4_K's of six to eight in GGUF's layout and Q8_0's of six to eight over the
// interleaved copy (AmxAny).
// Compiled with -mamx-tile -mamx-int8 on top of the AVX-512 flags; runs only where isa.cc found
// the CPU bits and Linux granted the tile state.
//
// One tile product is C[t][r] += A[t][k] * B[k][r] over 64 values: A is 16 tokens' int8
// activations, read in place from the activation buffer (signed); B is 16 weight rows'
// values as bytes in VNNI order (tile row k/4 holds values k..k+3 of every weight row: the
// AVX-512 tiles' transposes produce exactly this). Row t of C is then what the AVX-512 tile
// has in its int32 accumulator for token t, and the same float epilogue (shared code)
// follows: results are bit-identical to the avx512 path. Weights are unpacked per call into
// buffers on the stack, so the model's memory map is the only copy of the weights (Q8_0's
// interleaved copy needs no unpacking: its tiles load it in place). A call
// takes any number of tokens up to 64: its last tile's rows past the tokens are padded with
// zero activations and their results dropped, except that a call of one tile (16 tokens or
// fewer) of the K-quants' AmxFolded configures its token tiles with exactly its tokens.
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>

#include "backends/cpu/kernels/amx_tiles.h"
#include "backends/cpu/kernels/kernel_table.h"
#include "backends/cpu/kernels/libmvec.h"
#include "engine/quant/blocks.h"
#include "engine/quant/iq_tables.h"
#include "engine/quant/k_scales.h"
#include "engine/quant/mxfp4_tables.h"

namespace hfd::cpu {

thread_local int loaded_tile_config = 0;

namespace {
// The shared code defines more kernels (the 256-bit table, one-row dots) than this path
// reuses.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "backends/cpu/kernels/kernels_x86.inc"

#include "backends/cpu/kernels/kernels_avx512_tiles.inc"

#include "backends/cpu/kernels/kernels_avx512_lowbit.inc"

#include "backends/cpu/kernels/kernels_avx512_iq3.inc"
#pragma GCC diagnostic pop

// Tokens per AMX tile (its rows). A kernel call takes up to four such tiles of tokens, two at
// a time through the tile registers: each unpacked weight block serves all of the call's
// tokens.
constexpr int kAmxTileTokens = 16, kAmxMaxTiles = 4;
static_assert(kAmxTileTokens * kAmxMaxTiles <= kMaxTileTokens);
// For types without few-token tiles (AmxAny's kFew), fewer tokens than this go to the AVX-512
// one-token kernel (decode, two sequences decoded together, a lone leftover): an AMX pass
// unpacks the weights as that kernel does, and with so few tokens the transposes and the
// padded tile cost more than the one-token passes (kernels_bench --prefill-tokens 2: AVX-512
// ahead on every type but Q5_0; level at 3).
constexpr int kAmxMinTokens = 3;

// Tiles (amx_tiles.h): results (16 tokens x 16 weight rows, int32) 0 to 3, activations (16
// tokens x 64 int8) 4 and 5, weights (64 values of 16 rows) 6 and 7.

// The distance between the activation rows (one activation buffer's consecutive tokens), or
// 0 when they are not evenly spaced (or fewer than two) and a tile cannot load them with one
// stride.
int64_t ActStride(const ActRow* x, int n_tokens) {
  if (n_tokens < 2) return 0;
  const int64_t stride = x[1].qs - x[0].qs;
  for (int t = 2; t < n_tokens; ++t) {
    if (x[t].qs != x[0].qs + t * stride) return 0;
  }
  return stride;
}

// Where a tile load finds 16 tokens' activations.
struct ActTile {
  const int8_t* at;
  int64_t stride;
};

// Token tile p's activations `bytes` wide from value `at`: in place when `in_place` and its
// rows fill the tile (`tile_rows`: kAmxTileTokens, or a few-token call's tokens) evenly
// spaced, else copied into `pad`, `pad_stride` apart, whose rows past the call's tokens stay
// as they are (zero: their results are dropped).
HFD_TILE_INLINE ActTile TileRows(const ActRow* x, int n_tokens, int p, int64_t stride,
                                 bool in_place, int64_t at, int64_t bytes, int8_t* pad,
                                 int64_t pad_stride, int tile_rows = kAmxTileTokens) {
  const ActRow* rows = x + static_cast<ptrdiff_t>(p) * kAmxTileTokens;
  const int n_rows = std::min(kAmxTileTokens, n_tokens - p * kAmxTileTokens);
  if (in_place && n_rows == tile_rows && (stride != 0 || n_rows == 1)) {
    return {rows[0].qs + at, stride};
  }
  for (int t = 0; t < n_rows; ++t) std::memcpy(pad + t * pad_stride, rows[t].qs + at, bytes);
  return {pad, pad_stride};
}

// Whether TileRows, asked for rows in place, still copies some into its pad (whose rows past
// the call's tokens must then be zero): unevenly spaced rows, or a partial last tile.
inline bool CopiesRows(int64_t stride, int n_tokens, int tile_rows) {
  return (stride == 0 && n_tokens > 1) || n_tokens % tile_rows != 0;
}

// A B tile: 64 values of 16 weight rows in VNNI order, 64 bytes per tile row: tile row k
// holds values 4k..4k+3 of every weight row (lane r of TransposeWords16's registers).
struct alignas(64) BTile {
  uint8_t bytes[1024];
};

HFD_TILE_INLINE void StoreRows(const __m512i* v, int count, uint8_t* at) {
#pragma GCC unroll 16
  for (int64_t k = 0; k < count; ++k) _mm512_store_si512(at + 64 * k, v[k]);
}

// Every 32-value block type with one scale (and, if affine, one min) per block. Blocks go
// through the tiles two at a time: one 64-byte activation load covers both, and block j's
// B tile holds its values in tile rows 0..7 and zeros in 8..15 (block j + 1's the other way
// round), so each product sees only its own block. The values are signed (TDPBSSD), so the
// dot needs no offset correction. Then TileSymmetric16's epilogue, per token and block;
// groups of blocks are software-pipelined like AmxFolded's super-blocks.
template <typename Blocks, typename Block, typename Rows = GgufRows16<Blocks, Block>>
struct AmxSymmetric {
  // n_tokens tokens in NT token tiles (16 * (NT - 1) < n_tokens <= 16 * NT).
  template <int NT>
  static void Tiles(int64_t n, const uint8_t* w, int64_t row_bytes, const ActRow* x, int n_tokens,
                    float* y, int64_t y_stride) {
    constexpr int T = kAmxTileTokens * NT;
    const int64_t stride = ActStride(x, n_tokens);
    const int64_t n_blocks = n / kQK;
    UseTiles();
    const Rows rows(w, row_bytes);
    constexpr int kGroup = 4;  // blocks per pass through the tiles, even
    struct Group {
      BTile b[kGroup];
      SymmetricHeads heads[kGroup];
    };
    Group groups[2];
    for (Group& gr : groups) {
      for (int g = 0; g < kGroup; ++g) std::memset(gr.b[g].bytes + 512 * (1 - g % 2), 0, 512);
    }
    auto prepare = [&](int64_t j0, Group* gr) {
      const int g_end = static_cast<int>(std::min<int64_t>(n_blocks - j0, kGroup));
      for (int g = 0; g < g_end; ++g) {
        const int64_t j = j0 + g;
        PrefetchNextTile<kSymTileRows>(w, row_bytes, j * static_cast<int64_t>(sizeof(Block)),
                                       sizeof(Block));
        __m512i wt[8];
        rows.Values(j, wt);
        const __m512i offset = _mm512_set1_epi8(static_cast<char>(Blocks::kUnsignedOffset));
#pragma GCC unroll 8
        for (int k = 0; k < 8; ++k) wt[k] = _mm512_sub_epi8(wt[k], offset);
        StoreRows(wt, 8, gr->b[g].bytes + 512 * (g % 2));
        gr->heads[g] = rows.Heads(j);
      }
    };
    alignas(64) int32_t c[kGroup][T][16];
    alignas(64) float acc[T][16] = {};
    // Activations a tile cannot load in place: a partial tile, an odd last block (a load must
    // not run past the last token's row), unevenly spaced rows. One buffer per tile register.
    constexpr int64_t kPairBytes = int64_t{2} * kQK;
    alignas(64) int8_t pad[2][kAmxTileTokens][kPairBytes];
    if (stride == 0 || n_tokens % kAmxTileTokens != 0 || n_blocks % 2 != 0) {
      std::memset(pad, 0, sizeof(pad));
    }
    prepare(0, &groups[0]);
    for (int64_t j0 = 0, k = 0; j0 < n_blocks; j0 += kGroup, ++k) {
      const Group& gr = groups[k % 2];
      const int g_end = static_cast<int>(std::min<int64_t>(n_blocks - j0, kGroup));
      for (int g = 0; g < g_end; g += 2) {
        const int64_t j = j0 + g;
        const bool pair = g + 1 < g_end;
        auto act_rows = [&](int p) {
          return TileRows(x, n_tokens, p, stride, pair, j * kQK, pair ? kPairBytes : kQK,
                          pad[p % 2][0], kPairBytes);
        };
        _tile_loadd(6, gr.b[g].bytes, 64);
        if (pair) _tile_loadd(7, gr.b[g + 1].bytes, 64);
        for (int p = 0; p < NT; p += 2) {  // token tiles p and p + 1
          const bool two = p + 1 < NT;
          const ActTile a = act_rows(p);
          _tile_loadd(4, a.at, a.stride);
          _tile_zero(0);
          _tile_dpbssd(0, 4, 6);
          if (two) {
            const ActTile b = act_rows(p + 1);
            _tile_loadd(5, b.at, b.stride);
            _tile_zero(2);
            _tile_dpbssd(2, 5, 6);
            _tile_stored(2, c[g][(p + 1) * kAmxTileTokens], 64);
          }
          _tile_stored(0, c[g][p * kAmxTileTokens], 64);
          if (pair) {
            _tile_zero(1);
            _tile_dpbssd(1, 4, 7);
            if (two) {
              _tile_zero(3);
              _tile_dpbssd(3, 5, 7);
              _tile_stored(3, c[g + 1][(p + 1) * kAmxTileTokens], 64);
            }
            _tile_stored(1, c[g + 1][p * kAmxTileTokens], 64);
          }
        }
      }
      if (j0 + kGroup < n_blocks) prepare(j0 + kGroup, &groups[(k + 1) % 2]);
      for (int t = 0; t < n_tokens; ++t) {
        __m512 a = _mm512_load_ps(acc[t]);
        for (int g = 0; g < g_end; ++g) {
          a = BlockFma<Blocks>(_mm512_load_si512(c[g][t]), gr.heads[g], x[t].d[j0 + g],
                               kHasMin<Blocks> ? x[t].sum_d[j0 + g] : 0.0f, a);
        }
        _mm512_store_ps(acc[t], a);
      }
    }
    for (int t = 0; t < n_tokens; ++t) _mm512_storeu_ps(y + t * y_stride, _mm512_load_ps(acc[t]));
  }
};

// Q8_0 over the interleaved copy: block j's values there are already a weight tile (16 rows'
// signed bytes in VNNI order, 8 tile rows for the block's 32 values), so the tiles load them
// in place: one product of K = 32 per block (UseTiles' k_bytes), nothing unpacked or stored,
// no offset to take back. Then TileSymmetric16's epilogue per token and block, kLag blocks
// after the block's product (a load right after the tile store that wrote it waits for it).
// From memory at eight tokens it streams the weights faster than the AVX-512 tile, whose
// eight vpdpbusd per token and block on one port hold back its loads (BENCHMARKS.md, "Q8_0's
// copy through AMX").
struct AmxQ8_0Interleaved {
  // n_tokens tokens in NT token tiles (16 * (NT - 1) < n_tokens <= 16 * NT).
  template <int NT>
  static void Tiles(int64_t n, const uint8_t* w, int64_t row_bytes, const ActRow* x, int n_tokens,
                    float* y, int64_t y_stride) {
    constexpr int T = kAmxTileTokens * NT;
    constexpr int kLag = 3, kDepth = kLag + 1;
    const int64_t stride = ActStride(x, n_tokens);
    const int tile_rows = NT == 1 ? n_tokens : kAmxTileTokens;
    UseTiles(tile_rows, kQK);
    const InterleavedRows16<Q8_0Blocks, BlockQ8_0> rows(w, row_bytes);
    alignas(64) int32_t c[kDepth][T][16];
    SymmetricHeads heads[kDepth];
    alignas(64) float acc[T][16] = {};
    // A partial tile's or unevenly spaced rows' activations, one buffer per tile register.
    alignas(64) int8_t pad[2][kAmxTileTokens][kQK];
    if (CopiesRows(stride, n_tokens, tile_rows)) std::memset(pad, 0, sizeof(pad));
    auto act_rows = [&](int p, int64_t j) {
      return TileRows(x, n_tokens, p, stride, true, j * kQK, kQK, pad[p % 2][0], kQK, tile_rows);
    };
    auto finish = [&](int64_t j) {
      const int d = static_cast<int>(j % kDepth);
      for (int t = 0; t < n_tokens; ++t) {
        _mm512_store_ps(acc[t], BlockFma<Q8_0Blocks>(_mm512_load_si512(c[d][t]), heads[d],
                                                     x[t].d[j], 0.0f, _mm512_load_ps(acc[t])));
      }
    };
    const int64_t n_blocks = n / kQK;
    for (int64_t j = 0; j < n_blocks; ++j) {
      PrefetchNextTile<kSymTileRows>(w, row_bytes, j * static_cast<int64_t>(sizeof(BlockQ8_0)),
                                     sizeof(BlockQ8_0));
      const int d = static_cast<int>(j % kDepth);
      _tile_loadd(6, rows.ValueBytes(j), 64);
      for (int p = 0; p < NT; p += 2) {  // token tiles p and p + 1
        const ActTile a = act_rows(p, j);
        _tile_loadd(4, a.at, a.stride);
        _tile_zero(0);
        _tile_dpbssd(0, 4, 6);
        if (p + 1 < NT) {
          const ActTile b = act_rows(p + 1, j);
          _tile_loadd(5, b.at, b.stride);
          _tile_zero(1);
          _tile_dpbssd(1, 5, 6);
          _tile_stored(1, c[d][(p + 1) * kAmxTileTokens], 64);
        }
        _tile_stored(0, c[d][p * kAmxTileTokens], 64);
      }
      heads[d] = rows.Heads(j);
      if (j >= kLag) finish(j - kLag);
    }
    for (int64_t j = std::max<int64_t>(0, n_blocks - kLag); j < n_blocks; ++j) finish(j);
    for (int t = 0; t < n_tokens; ++t) _mm512_storeu_ps(y + t * y_stride, _mm512_load_ps(acc[t]));
  }
};

// K-quants with integer sub-block scales: the scales are folded into the weights, so one
// tile product covers 64 values whatever their sub-blocks. A product sc * v (16 bits) is
// split into its low byte (unsigned, TDPBSUD) and high byte (signed, TDPBSSD); the
// super-block's int32 sum is lo + 256 * hi, exactly what the AVX-512 tile sums per
// sub-block. The splitting below works on 16 rows x 4 values (one transposed register).

// Each lane's 32-bit scale (within int16 range) in both of its int16 halves.
HFD_TILE_INLINE __m512i ScalePairs(__m512i sc) {
  return _mm512_or_si512(_mm512_and_si512(sc, _mm512_set1_epi32(0xFFFF)),
                         _mm512_slli_epi32(sc, 16));
}

// The products of the values of the even and odd bytes (as int16) with the lanes' scales
// (ScalePairs), as low bytes and high bytes in the original byte order.
HFD_TILE_INLINE void FoldScale(__m512i even, __m512i odd, __m512i sc, __m512i* lo, __m512i* hi) {
  const __m512i pe = _mm512_mullo_epi16(even, sc), po = _mm512_mullo_epi16(odd, sc);
  // 0xEA: (a & b) | c.
  *lo = _mm512_ternarylogic_epi32(pe, _mm512_set1_epi16(0x00FF), _mm512_slli_epi16(po, 8), 0xEA);
  *hi = _mm512_ternarylogic_epi32(po, _mm512_set1_epi16(static_cast<int16_t>(0xFF00)),
                                  _mm512_srli_epi16(pe, 8), 0xEA);
}

// A super-block's four 64-value chunks as B tiles of low and high bytes.
struct FoldedTiles {
  BTile lo[4], hi[4];
};

// GGUF's 16 rows, row_bytes apart from w, and their offsets for gathers.
struct GgufRowsAt16 {
  GgufRowsAt16(const uint8_t* w_, int64_t row_bytes_)
      : w(w_), row_bytes(row_bytes_), row_offsets(RowOffsets16(row_bytes_)) {}
  const uint8_t* w;
  int64_t row_bytes;
  __m512i row_offsets;
};

// What AmxFolded needs of a type besides Fold and Finish: where Fold finds the 16 rows (Rows,
// built from w and row_bytes), its scales (what Finish reads) and the super-block's size.
template <typename S, typename Block, typename R = GgufRowsAt16>
struct FoldedTraits {
  using Rows = R;
  using Scales = S;
  static constexpr int64_t kBlockBytes = sizeof(Block);
  // The super-block's sum is lo + (hi << kHiShift): the high bytes of FoldScale's products.
  static constexpr int kHiShift = 8;
};

// Q4_K, in either layout (Rows: Q4_KGgufRows16 or Q4_KInterleavedRows16): chunk q is the 32
// bytes of qs at 32q, low nibbles sub-block 2q (tile rows 0..7), high nibbles 2q + 1 (rows
// 8..15). Its scales have 6 bits, its values 4: the "low" tile holds v * (sc & 7) and the
// "high" one v * (sc >> 3), each at most 105, so one 16-bit multiply gives two bytes'
// products without a carry between them (no splitting of 16-bit products as FoldScale does),
// and the super-block's sum is lo + 8 * hi.
template <typename R>
struct Q4_KAmx : FoldedTraits<Q4_KRowScales, BlockQ4_K, R> {
  using Rows = R;
  using Scales = Q4_KRowScales;
  static constexpr int kHiShift = 3;
  HFD_TILE_INLINE static Scales Fold(const Rows& rows, int64_t i, FoldedTiles* b) {
    const Scales s = rows.Scales(i);
    const __m512i low4 = _mm512_set1_epi8(0x0F), low3 = _mm512_set1_epi32(7);
    for (int64_t q = 0; q < 4; ++q) {
      __m512i raw[8], lo[16], hi[16];
      rows.Chunk(i, q, raw);
      // Sub-block 2q + h's scale pieces in both 16-bit halves of each lane.
      __m512i sc_lo[2], sc_hi[2];
#pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) {
        sc_lo[h] = ScalePairs(_mm512_and_si512(s.sc[2 * q + h], low3));
        sc_hi[h] = ScalePairs(_mm512_srli_epi32(s.sc[2 * q + h], 3));
      }
#pragma GCC unroll 8
      for (int k = 0; k < 8; ++k) {
        const __m512i v[2] = {_mm512_and_si512(raw[k], low4),
                              _mm512_and_si512(_mm512_srli_epi16(raw[k], 4), low4)};
#pragma GCC unroll 2
        for (int h = 0; h < 2; ++h) {
          lo[8 * h + k] = _mm512_mullo_epi16(v[h], sc_lo[h]);
          hi[8 * h + k] = _mm512_mullo_epi16(v[h], sc_hi[h]);
        }
      }
      StoreRows(lo, 16, b->lo[q].bytes);
      StoreRows(hi, 16, b->hi[q].bytes);
    }
    return s;
  }
  HFD_TILE_INLINE static __m512 Finish(const Scales& s, __m512i isum, const ActRow& x, int64_t i,
                                       __m512 acc) {
    return Q4_KBlockFma(s, isum, x, i, acc);
  }
};

// Q6_K: chunk c is values 64c..64c+63 (four 16-value sub-blocks), signed values q - 32.
struct Q6_KAmx : FoldedTraits<Q6_KRowScales, BlockQ6_K> {
  HFD_TILE_INLINE static Scales Fold(const Rows& rows, int64_t i, FoldedTiles* b) {
    const Scales s = LoadQ6_KScales16(rows.w, rows.row_offsets, i);
    auto blocks = [&](int r) {
      return reinterpret_cast<const BlockQ6_K*>(rows.w + r * rows.row_bytes) + i;
    };
    const __m512i low_byte = _mm512_set1_epi16(0x00FF), bias = _mm512_set1_epi16(32);
    for (int64_t h = 0; h < 2; ++h) {
      __m512i qh[8];
      TransposeWords16([&](int r) { return Load256(blocks(r)->qh + 32 * h); }, qh);
      for (int64_t half = 0; half < 2; ++half) {
        __m512i ql[8];
        TransposeWords16([&](int r) { return Load256(blocks(r)->ql + 64 * h + 32 * half); }, ql);
        for (int64_t q = half; q < 4; q += 2) {
          // Values 128h + 32q ..: chunk 2h + q / 2, tile rows from 8 * (q % 2).
          const int64_t chunk = 2 * h + q / 2, row0 = 8 * (q % 2);
          const __m512i sc[2] = {ScalePairs(Q6_KScale(s, 8 * h + 2 * q)),
                                 ScalePairs(Q6_KScale(s, 8 * h + 2 * q + 1))};
          __m512i lo[8], hi[8];
#pragma GCC unroll 8
          for (int k = 0; k < 8; ++k) {
            const __m512i v = Q6_KValues(ql[k], qh[k], q);
            FoldScale(_mm512_sub_epi16(_mm512_and_si512(v, low_byte), bias),
                      _mm512_sub_epi16(_mm512_srli_epi16(v, 8), bias), sc[k / 4], &lo[k], &hi[k]);
          }
          StoreRows(lo, 8, b->lo[chunk].bytes + 64 * row0);
          StoreRows(hi, 8, b->hi[chunk].bytes + 64 * row0);
        }
      }
    }
    return s;
  }
  HFD_TILE_INLINE static __m512 Finish(const Scales& s, __m512i isum, const ActRow& x, int64_t i,
                                       __m512 acc) {
    return Q6_KBlockFma(s, isum, x, i, acc);
  }
};

// The 256-value types with an Unpack16 step (kernels_avx512_lowbit.inc, kernels_avx512_iq3.inc):
// Q5_K, Q3_K, Q2_K, IQ4_XS, IQ3_XXS, IQ3_S. Values 32s..32s+31 (Unpack16's chunk s) are tile rows 8
// * (s % 2) .. of chunk s / 2, less the type's offset and times their 16-value scale; the unpacked
// super-block is the scales Finish needs (d, dmin, the mins).
template <typename U>
struct LowBitAmx : FoldedTraits<U, typename U::Block> {
  HFD_TILE_INLINE static U Fold(const GgufRowsAt16& rows, int64_t i, FoldedTiles* b) {
    const int32_t block_at = static_cast<int32_t>(i * sizeof(typename U::Block));
    const U u(rows.w, rows.row_bytes, i,
              _mm512_add_epi32(rows.row_offsets, _mm512_set1_epi32(block_at)));
    const __m512i low_byte = _mm512_set1_epi16(0x00FF), offset = _mm512_set1_epi16(U::kOffset);
    for (int g = 0; g < U::kGroups; ++g) {
      __m512i raw[8];
      u.Group(g, raw);
#pragma GCC unroll 4
      for (int c = 0; c < U::kChunksPerGroup; ++c) {
        __m512i v[8], lo[8], hi[8];
        u.Values(raw, g, c, v);
        const int s = g * U::kChunksPerGroup + c;
        const __m512i sc[2] = {ScalePairs(u.Scale(2 * s)),
                               ScalePairs(u.Scale(U::kScalePer32 ? 2 * s : 2 * s + 1))};
#pragma GCC unroll 8
        for (int k = 0; k < 8; ++k) {
          FoldScale(_mm512_sub_epi16(_mm512_and_si512(v[k], low_byte), offset),
                    _mm512_sub_epi16(_mm512_srli_epi16(v[k], 8), offset), sc[k / 4], &lo[k],
                    &hi[k]);
        }
        const int64_t at = 512 * static_cast<int64_t>(s % 2);
        StoreRows(lo, 8, b->lo[s / 2].bytes + at);
        StoreRows(hi, 8, b->hi[s / 2].bytes + at);
      }
    }
    return u;
  }
  // TileLowBit16's epilogue.
  HFD_TILE_INLINE static __m512 Finish(const U& u, __m512i isum, const ActRow& x, int64_t i,
                                       __m512 acc) {
    const __m512 dx = _mm512_set1_ps(x.d[i]);
    acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_mul_ps(u.d, dx), acc);
    if constexpr (U::kMins) {
      acc = _mm512_fnmadd_ps(_mm512_cvtepi32_ps(u.MinSum(x)), _mm512_mul_ps(u.dmin, dx), acc);
    }
    return acc;
  }
};

template <typename Quant>
struct AmxFolded {
  // n_tokens tokens in NT token tiles (16 * (NT - 1) < n_tokens <= 16 * NT).
  template <int NT>
  static void Tiles(int64_t n, const uint8_t* w, int64_t row_bytes, const ActRow* x, int n_tokens,
                    float* y, int64_t y_stride) {
    constexpr int T = kAmxTileTokens * NT;
    const int64_t stride = ActStride(x, n_tokens);
    // One token tile of fewer tokens has just their rows.
    const int tile_rows = NT == 1 ? n_tokens : kAmxTileTokens;
    UseTiles(tile_rows);
    const typename Quant::Rows rows(w, row_bytes);
    // Software-pipelined: super-block i + 1 is folded while the tiles multiply super-block i,
    // and i's results are read back only after that (a load right after the tile store that
    // wrote it, like a tile load right after the stores of its B tile, waits for them).
    FoldedTiles b[2];
    alignas(64) int32_t lo[T][16], hi[T][16];
    alignas(64) float acc[T][16] = {};
    // A partial tile's or unevenly spaced rows' activations, one buffer per tile register.
    alignas(64) int8_t pad[2][kAmxTileTokens][kQKK];
    if (CopiesRows(stride, n_tokens, tile_rows)) std::memset(pad, 0, sizeof(pad));
    const int64_t n_super = n / kQKK;
    std::optional<typename Quant::Scales> s[2];
    s[0].emplace(Quant::Fold(rows, 0, &b[0]));
    for (int64_t i = 0; i < n_super; ++i) {
      const FoldedTiles& cur = b[i % 2];
      for (int p = 0; p < NT; p += 2) {  // token tiles p and p + 1
        const bool two = p + 1 < NT;
        const ActTile xa =
            TileRows(x, n_tokens, p, stride, true, i * kQKK, kQKK, pad[0][0], kQKK, tile_rows);
        ActTile xb{};
        _tile_zero(0);
        _tile_zero(1);
        if (two) {
          xb = TileRows(x, n_tokens, p + 1, stride, true, i * kQKK, kQKK, pad[1][0], kQKK,
                        tile_rows);
          _tile_zero(2);
          _tile_zero(3);
        }
        for (int64_t c = 0; c < 4; ++c) {
          _tile_loadd(6, cur.lo[c].bytes, 64);
          _tile_loadd(7, cur.hi[c].bytes, 64);
          _tile_loadd(4, xa.at + 64 * c, xa.stride);
          _tile_dpbsud(0, 4, 6);
          _tile_dpbssd(1, 4, 7);
          if (two) {
            _tile_loadd(5, xb.at + 64 * c, xb.stride);
            _tile_dpbsud(2, 5, 6);
            _tile_dpbssd(3, 5, 7);
          }
        }
        _tile_stored(0, lo[p * kAmxTileTokens], 64);
        _tile_stored(1, hi[p * kAmxTileTokens], 64);
        if (two) {
          _tile_stored(2, lo[(p + 1) * kAmxTileTokens], 64);
          _tile_stored(3, hi[(p + 1) * kAmxTileTokens], 64);
        }
      }
      if (i + 1 < n_super) {
        PrefetchNextTile<kSymTileRows>(w, row_bytes, (i + 1) * Quant::kBlockBytes,
                                       Quant::kBlockBytes);
        s[(i + 1) % 2].emplace(Quant::Fold(rows, i + 1, &b[(i + 1) % 2]));
      }
      for (int t = 0; t < n_tokens; ++t) {
        const __m512i isum = _mm512_add_epi32(
            _mm512_load_si512(lo[t]), _mm512_slli_epi32(_mm512_load_si512(hi[t]), Quant::kHiShift));
        _mm512_store_ps(acc[t], Quant::Finish(*s[i % 2], isum, x[t], i, _mm512_load_ps(acc[t])));
      }
    }
    for (int t = 0; t < n_tokens; ++t) _mm512_storeu_ps(y + t * y_stride, _mm512_load_ps(acc[t]));
  }
};

// A kernel's full calls (64 tokens, MatMul's token chunk) and calls of any fewer tokens (as
// many token tiles as they fill).
template <typename Kernel>
void AmxFull(int64_t n, const uint8_t* w, int64_t row_bytes, const ActRow* x, float* y,
             int64_t y_stride) {
  Kernel::template Tiles<kAmxMaxTiles>(n, w, row_bytes, x, kAmxMaxTiles * kAmxTileTokens, y,
                                       y_stride);
}

// `kFew`, where given, is the AVX-512 path's FewTokenTiles: calls of 2 to kFewMax tokens
// (sequences decoded together) run on it rather than on an AMX tile; both give the same bits.
// Per core (kernels_bench --ceiling-only 1 --prefill-tokens 2..8) they ran at 1.03x (Q6_K, 8
// tokens) to 2.4x (Q4_1, 4 and 8) the speed of an AMX tile padded to 16 tokens. On GGUF's
// layout Q4_K's AMX tile of exactly 6 to 8 tokens (folded with 3-bit scale pieces) is 1.02x
// to 1.11x its AVX-512 tile, so it takes kFewMax 5; over the interleaved copy, where the
// AVX-512 tile reads its scales and values without gathers or transposes, that tile is
// ahead up to 8 (1.00x to 1.16x at 6 and 8 tokens), so the copy takes kFewMax 8. Q8_0's copy,
// which AmxQ8_0Interleaved multiplies in place, is level from 3 to 5 tokens and ahead from 6
// (kernels_bench --layout rows16 from memory: 0.99x to 1.08x at 6, 1.02x to 1.19x at 8),
// while sequences decoded together ran 2 to 4 % slower at 3 and 4: it takes kFewMax 5.
template <typename Kernel, RowTilesFn kFew = nullptr, int kFewMax = kFewTokens>
void AmxAny(int64_t n, const uint8_t* w, int64_t row_bytes, const ActRow* x, int n_tokens, float* y,
            int64_t y_stride) {
  if constexpr (kFew != nullptr) {
    if (n_tokens <= kFewMax) return kFew(n, w, row_bytes, x, n_tokens, y, y_stride);
  }
  switch ((n_tokens + kAmxTileTokens - 1) / kAmxTileTokens) {
    case 1:
      return Kernel::template Tiles<1>(n, w, row_bytes, x, n_tokens, y, y_stride);
    case 2:
      return Kernel::template Tiles<2>(n, w, row_bytes, x, n_tokens, y, y_stride);
    case 3:
      return Kernel::template Tiles<3>(n, w, row_bytes, x, n_tokens, y, y_stride);
    default:
      return Kernel::template Tiles<4>(n, w, row_bytes, x, n_tokens, y, y_stride);
  }
}

// Decode keeps AVX-512's one-token kernel.
template <typename Kernel, RowTilesFn kFew = nullptr, int kFewMax = kFewTokens>
void UseAmx(TileKernel* tile) {
  const int rest_min = kFew != nullptr ? 2 : kAmxMinTokens;
  *tile = {AmxFull<Kernel>,
           tile->one,
           kSymTileRows,
           kAmxMaxTiles * kAmxTileTokens,
           AmxAny<Kernel, kFew, kFewMax>,
           rest_min};
}

template <typename Blocks, typename Block>
void UseAmxSymmetric(TileKernel* tile) {
  UseAmx<AmxSymmetric<Blocks, Block>, FewTokenTiles<SymmetricTiles<Blocks, Block>>>(tile);
}

// The same for the interleaved copy (rows16_layout.h), where the AVX-512 path reads one;
// Q8_0's copy has its own AMX kernel and few-token bound (AmxAny).
template <typename Blocks, typename Block,
          typename Kernel = AmxSymmetric<Blocks, Block, InterleavedRows16<Blocks, Block>>,
          int kFewMax = kFewTokens>
void UseAmxInterleaved(TileKernel* tile) {
  using Rows = InterleavedRows16<Blocks, Block>;
  UseAmx<Kernel, FewTokenTiles<SymmetricTiles<Blocks, Block, Rows>>, kFewMax>(tile);
}

// Q4_K's tiles over either layout; calls of up to kFewMax tokens stay on AVX-512 (AmxAny).
template <typename Rows, int kFewMax>
void UseAmxQ4_K(TileKernel* tile) {
  UseAmx<AmxFolded<Q4_KAmx<Rows>>, FewTokenTiles<Q4_KTiles<Rows>>, kFewMax>(tile);
}

KernelTable MakeAmxTable() {
  KernelTable t = Avx512KernelTable();
  UseAmxSymmetric<Q8_0Blocks, BlockQ8_0>(&t.q8_0.tile);
  UseAmxSymmetric<Q4_0Blocks, BlockQ4_0>(&t.q4_0.tile);
  UseAmxSymmetric<Q5_0Blocks, BlockQ5_0>(&t.q5_0.tile);
  UseAmxSymmetric<Q4_1Blocks, BlockQ4_1>(&t.q4_1.tile);
  UseAmxInterleaved<Q8_0Blocks, BlockQ8_0, AmxQ8_0Interleaved, 5>(&t.q8_0_rows16);
  UseAmxInterleaved<Q4_0Blocks, BlockQ4_0>(&t.q4_0_rows16);
  UseAmxInterleaved<Q4_1Blocks, BlockQ4_1>(&t.q4_1_rows16);
  UseAmxQ4_K<Q4_KInterleavedRows16, kFewTokens>(&t.q4_k_rows16);
  UseAmxSymmetric<Q5_1Blocks, BlockQ5_1>(&t.q5_1.tile);
  UseAmxSymmetric<IQ4_NLBlocks, BlockIQ4_NL>(&t.iq4_nl.tile);
  UseAmxSymmetric<MXFP4Blocks, BlockMXFP4>(&t.mxfp4.tile);
  UseAmxQ4_K<Q4_KGgufRows16, 5>(&t.q4_k.tile);
  UseAmx<AmxFolded<LowBitAmx<Q5_KUnpack16>>>(&t.q5_k.tile);
  UseAmx<AmxFolded<Q6_KAmx>, FewTokenTiles<Q6_KTiles>>(&t.q6_k.tile);
  UseAmx<AmxFolded<LowBitAmx<Q3_KUnpack16>>>(&t.q3_k.tile);
  UseAmx<AmxFolded<LowBitAmx<Q2_KUnpack16>>>(&t.q2_k.tile);
  UseAmx<AmxFolded<LowBitAmx<IQ4_XSUnpack16>>>(&t.iq4_xs.tile);
  UseAmx<AmxFolded<LowBitAmx<IQ3_XXSUnpack16>>>(&t.iq3_xxs.tile);
  UseAmx<AmxFolded<LowBitAmx<IQ3_SUnpack16>>>(&t.iq3_s.tile);
  SetAmxBf16Kernels(&t);
  return t;
}

}  // namespace

const KernelTable& AmxKernelTable() {
  static const KernelTable table = MakeAmxTable();
  return table;
}

}  // namespace hfd::cpu
