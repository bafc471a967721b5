// The AMX path: the AVX-512 path with its prefill tiles (16 weight rows x 16 tokens) of
// Q8_0, Q4_0, Q5_0, Q4_K and Q6_K computed by AMX-INT8 tile
// instructions (Sapphire Rapids and later). Decode (one token) and leftovers stay on the
// AVX-512 kernels. Compiled with -mamx-tile -mamx-int8 on top of the AVX-512 flags; runs
// only where isa.cc found the CPU bits and Linux granted the tile state.
//
// One tile product is C[t][r] += A[t][k] * B[k][r] over the k of one scale sub-block (32
// values; 16 for Q6_K): A is 16 tokens' int8 activations, read in place from the activation
// buffer (signed); B is 16 weight rows' values as unsigned bytes in VNNI order (tile row k/4
// holds values k..k+3 of every weight row: the AVX-512 tiles' transposes produce exactly
// this), so the instruction is TDPBSUD. Row t of C is then what the AVX-512 tile has in its
// int32 accumulator for token t, and the same float epilogue (shared code) follows: results
// are bit-identical to the avx512 path. Weights are unpacked per call into a 512-byte buffer
// on the stack, so the model's memory map is the only copy of the weights.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "backends/cpu/kernels/kernel_table.h"
#include "engine/quant/blocks.h"
#include "engine/quant/iq_tables.h"
#include "engine/quant/k_scales.h"

namespace hfd::cpu {
namespace {
// The shared code defines more kernels (the 256-bit table, one-row dots) than this path
// reuses.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "backends/cpu/kernels/kernels_x86.inc"

#include "backends/cpu/kernels/kernels_avx512_tiles.inc"
#pragma GCC diagnostic pop

// Tokens per AMX tile (its rows). A kernel call takes NT such tiles of tokens (1 or 2): each
// unpacked weight block serves 16 * NT tokens.
constexpr int kAmxTileTokens = 16;
static_assert(2 * kAmxTileTokens <= kMaxTileTokens);

// Palette 1's tile configuration (LDTILECFG's 64-byte operand).
struct alignas(64) TileConfig {
  uint8_t palette;
  uint8_t start_row;
  uint8_t reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
};
static_assert(sizeof(TileConfig) == 64);

// One configuration serves every type, so a thread loads it once: tiles 0 and 1 hold
// results (16 tokens x 16 int32); 2 and 3 activations of a 32-value sub-block (16 x 32
// bytes), 4 and 5 the matching weights (8 x 64 bytes); 6 and 7 the same for Q6_K's
// 16-value sub-blocks (16 x 16 and 4 x 64 bytes). The tile numbers below are these.
class ThreadTiles {
 public:
  ThreadTiles() {
    TileConfig cfg{};
    cfg.palette = 1;
    auto set = [&](int tile, int rows, int bytes) {
      cfg.rows[tile] = static_cast<uint8_t>(rows);
      cfg.colsb[tile] = static_cast<uint16_t>(bytes);
    };
    set(0, 16, 64);
    set(1, 16, 64);
    set(2, 16, 32);
    set(3, 16, 32);
    set(4, 8, 64);
    set(5, 8, 64);
    set(6, 16, 16);
    set(7, 4, 64);
    _tile_loadconfig(&cfg);
  }
  // Gives the tile state back to the OS's lazy save/restore when the thread ends.
  ~ThreadTiles() { _tile_release(); }
  ThreadTiles(const ThreadTiles&) = delete;
  ThreadTiles& operator=(const ThreadTiles&) = delete;
};

void UseTiles() { thread_local ThreadTiles tiles; }

// The distance between the activation rows (one activation buffer's consecutive tokens), or
// 0 when they are not evenly spaced and a tile cannot load them with one stride.
int64_t ActStride(const ActRow* x, int n_tokens) {
  const int64_t stride = x[1].qs - x[0].qs;
  for (int t = 2; t < n_tokens; ++t) {
    if (x[t].qs != x[0].qs + t * stride) return 0;
  }
  return stride;
}

// Stores the eight registers of a transposed 32-value block (TransposeWords16's layout)
// as a B tile.
HFD_TILE_INLINE void StoreB(const __m512i* v, uint8_t* b) {
#pragma GCC unroll 8
  for (int k = 0; k < 8; ++k) _mm512_store_si512(b + 64 * k, v[k]);
}

// The int32 dot products of one sub-block for the 16 * NT tokens of a call: c[t][r] = the
// activations at xa (token 0; token t at xa + t * stride) of `kBytes` values (32, or Q6_K's
// 16) times weight row r's, from the B tile at b. `odd` picks the other tile set for 32-value
// sub-blocks, so consecutive ones need not wait for each other's tiles.
template <int kBytes, int NT>
HFD_TILE_INLINE void SubBlockDots(const uint8_t* b, const int8_t* xa, int64_t stride, bool odd,
                                  int32_t (*c)[16]) {
  static_assert(NT == 1 || NT == 2, "results in tiles 0 and 1");
  const int8_t* xb = xa + kAmxTileTokens * stride;
  if constexpr (kBytes == 32) {
    if (odd) {
      _tile_loadd(5, b, 64);
    } else {
      _tile_loadd(4, b, 64);
    }
    if (NT == 2 || !odd) {
      _tile_loadd(2, xa, stride);
      _tile_zero(0);
      if (odd) {
        _tile_dpbsud(0, 2, 5);
      } else {
        _tile_dpbsud(0, 2, 4);
      }
      _tile_stored(0, c[0], 64);
    }
    if (NT == 2 || odd) {
      _tile_loadd(3, NT == 2 ? xb : xa, stride);
      _tile_zero(1);
      if (odd) {
        _tile_dpbsud(1, 3, 5);
      } else {
        _tile_dpbsud(1, 3, 4);
      }
      _tile_stored(1, c[NT == 2 ? kAmxTileTokens : 0], 64);
    }
  } else {
    static_assert(kBytes == 16);
    _tile_loadd(7, b, 64);
    _tile_loadd(6, xa, stride);
    _tile_zero(0);
    _tile_dpbsud(0, 6, 7);
    _tile_stored(0, c[0], 64);
    if (NT == 2) {
      _tile_loadd(6, xb, stride);
      _tile_zero(1);
      _tile_dpbsud(1, 6, 7);
      _tile_stored(1, c[kAmxTileTokens], 64);
    }
  }
}

// Every 32-value block type with one scale (and, if affine, one min) per block.
template <int NT, typename Blocks, typename Block>
void AmxSymmetric16(int64_t n, const uint8_t* w, int64_t row_bytes, const ActRow* x, float* y,
                    int64_t y_stride) {
  constexpr int T = kAmxTileTokens * NT;
  const int64_t stride = ActStride(x, T);
  if (stride == 0) {
    for (int t = 0; t < T; t += kSymTileTokens) {
      TileSymmetric16<kSymTileTokens, Blocks, Block>(n, w, row_bytes, x + t, y + t * y_stride,
                                                     y_stride);
    }
    return;
  }
  UseTiles();
  const __m512i row_offsets = RowOffsets16(row_bytes);
  // Blocks go through the tiles in groups, then through the epilogue token by token.
  constexpr int kGroup = 8;
  alignas(64) uint8_t b[kGroup][512];
  alignas(64) int32_t c[kGroup][T][16];
  alignas(64) float acc[T][16] = {};
  const int64_t n_blocks = n / kQK;
  for (int64_t j0 = 0; j0 < n_blocks; j0 += kGroup) {
    const int g_end = static_cast<int>(n_blocks - j0 < kGroup ? n_blocks - j0 : kGroup);
    SymmetricHeads heads[kGroup];
    for (int g = 0; g < g_end; ++g) {
      const int64_t j = j0 + g;
      PrefetchNextTile<kSymTileRows>(w, row_bytes, j * static_cast<int64_t>(sizeof(Block)),
                                     sizeof(Block));
      __m512i wt[8];
      Blocks::Transposed16(w, row_bytes, j, wt);
      heads[g] = LoadSymmetricHeads16<Block>(w, row_offsets, j);
      StoreB(wt, b[g]);
    }
    // The tile loads after all stores: a load right after the stores it reads waits for them.
    for (int g = 0; g < g_end; ++g) {
      SubBlockDots<32, NT>(b[g], x[0].qs + (j0 + g) * kQK, stride, g % 2 == 1, c[g]);
    }
    for (int t = 0; t < T; ++t) {
      __m512 a = _mm512_load_ps(acc[t]);
      for (int g = 0; g < g_end; ++g) {
        a = SymmetricBlockFma<Blocks>(_mm512_load_si512(c[g][t]), heads[g], x[t], j0 + g, a);
      }
      _mm512_store_ps(acc[t], a);
    }
  }
  for (int t = 0; t < T; ++t) _mm512_storeu_ps(y + t * y_stride, _mm512_load_ps(acc[t]));
}

// Q4_K: per super-block, one tile product per 32-value sub-block (low nibbles of a 32-byte
// chunk, then high), then TileQ4_K16's epilogue per token.
template <int NT>
void AmxQ4_K16(int64_t n, const uint8_t* w, int64_t row_bytes, const ActRow* x, float* y,
               int64_t y_stride) {
  constexpr int T = kAmxTileTokens * NT;
  const int64_t stride = ActStride(x, T);
  if (stride == 0) {
    for (int t = 0; t < T; t += kQ4_KTileTokens) {
      TileQ4_K16<kQ4_KTileTokens>(n, w, row_bytes, x + t, y + t * y_stride, y_stride);
    }
    return;
  }
  UseTiles();
  const __m512i row_offsets = RowOffsets16(row_bytes);
  const __m512i low4 = _mm512_set1_epi8(0x0F);
  alignas(64) uint8_t b[8][512];
  alignas(64) int32_t c[8][T][16];
  alignas(64) float acc[T][16] = {};
  for (int64_t i = 0; i < n / kQKK; ++i) {
    const int32_t block_at = static_cast<int32_t>(i * sizeof(BlockQ4_K));
    PrefetchNextTile<kSymTileRows>(w, row_bytes, block_at, sizeof(BlockQ4_K));
    const Q4_KRowScales s =
        LoadQ4_KScales16(w, _mm512_add_epi32(row_offsets, _mm512_set1_epi32(block_at)));
    // All eight sub-blocks' B tiles first: a tile load right after the stores that wrote it
    // waits for them.
    for (int q = 0; q < 4; ++q) {
      __m512i raw[8], lo[8], hi[8];
      TransposeWords16(
          [&](int r) {
            return Load256(reinterpret_cast<const BlockQ4_K*>(w + r * row_bytes)[i].qs + 32 * q);
          },
          raw);
#pragma GCC unroll 8
      for (int k = 0; k < 8; ++k) {
        lo[k] = _mm512_and_si512(raw[k], low4);
        hi[k] = _mm512_and_si512(_mm512_srli_epi16(raw[k], 4), low4);
      }
      StoreB(lo, b[2 * q]);
      StoreB(hi, b[2 * q + 1]);
    }
    for (int j = 0; j < 8; ++j) {
      SubBlockDots<32, NT>(b[j], x[0].qs + i * kQKK + 32 * j, stride, j % 2 == 1, c[j]);
    }
    for (int t = 0; t < T; ++t) {
      __m512i isum = _mm512_setzero_si512();
#pragma GCC unroll 8
      for (int j = 0; j < 8; ++j) {
        isum = _mm512_add_epi32(isum, _mm512_mullo_epi32(_mm512_load_si512(c[j][t]), s.sc[j]));
      }
      _mm512_store_ps(acc[t], Q4_KBlockFma(s, isum, x[t], i, _mm512_load_ps(acc[t])));
    }
  }
  for (int t = 0; t < T; ++t) _mm512_storeu_ps(y + t * y_stride, _mm512_load_ps(acc[t]));
}

// Q6_K: one tile product per 16-value sub-block, then TileQ6_K16's epilogue per token.
template <int NT>
void AmxQ6_K16(int64_t n, const uint8_t* w, int64_t row_bytes, const ActRow* x, float* y,
               int64_t y_stride) {
  constexpr int T = kAmxTileTokens * NT;
  const int64_t stride = ActStride(x, T);
  if (stride == 0) {
    for (int t = 0; t < T; t += kQ6_KTileTokens) {
      TileQ6_K16<kQ6_KTileTokens>(n, w, row_bytes, x + t, y + t * y_stride, y_stride);
    }
    return;
  }
  UseTiles();
  const __m512i row_offsets = RowOffsets16(row_bytes);
  alignas(64) uint8_t b[8][512];
  alignas(64) int32_t c[16][T][16];
  alignas(64) float acc[T][16] = {};
  for (int64_t i = 0; i < n / kQKK; ++i) {
    PrefetchNextTile<kSymTileRows>(w, row_bytes, i * static_cast<int64_t>(sizeof(BlockQ6_K)),
                                   sizeof(BlockQ6_K));
    const Q6_KRowScales s = LoadQ6_KScales16(w, row_offsets, i);
    auto blocks = [&](int r) { return reinterpret_cast<const BlockQ6_K*>(w + r * row_bytes) + i; };
    for (int h = 0; h < 2; ++h) {
      __m512i qh[8];
      TransposeWords16([&](int r) { return Load256(blocks(r)->qh + 32 * h); }, qh);
      for (int half = 0; half < 2; ++half) {
        __m512i ql[8];
        TransposeWords16([&](int r) { return Load256(blocks(r)->ql + 64 * h + 32 * half); }, ql);
        for (int q = half; q < 4; q += 2) {
          __m512i v[8];
#pragma GCC unroll 8
          for (int k = 0; k < 8; ++k) v[k] = Q6_KValues(ql[k], qh[k], q);
          // Sub-blocks 8h + 2q and the next: the first and second 16 values.
          const int sub = 8 * h + 2 * q;
          StoreB(v, b[sub / 2]);
        }
      }
    }
    for (int sub = 0; sub < 16; ++sub) {
      SubBlockDots<16, NT>(b[sub / 2] + 256 * (sub % 2), x[0].qs + i * kQKK + 16 * sub, stride,
                           false, c[sub]);
    }
    __m512i sc[16];
#pragma GCC unroll 16
    for (int sub = 0; sub < 16; ++sub) sc[sub] = Q6_KScale(s, sub);
    for (int t = 0; t < T; ++t) {
      const int32_t* sum16 = x[t].sum16 + i * 16;
      __m512i isum = _mm512_setzero_si512();
#pragma GCC unroll 16
      for (int sub = 0; sub < 16; ++sub) {
        // Every value carries +32: take it back with the sub-block's activation sum.
        const __m512i dot =
            _mm512_add_epi32(_mm512_load_si512(c[sub][t]), _mm512_set1_epi32(-32 * sum16[sub]));
        isum = _mm512_add_epi32(isum, _mm512_mullo_epi32(dot, sc[sub]));
      }
      const __m512 a = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum),
                                       _mm512_mul_ps(s.d, _mm512_set1_ps(x[t].d[i])),
                                       _mm512_load_ps(acc[t]));
      _mm512_store_ps(acc[t], a);
    }
  }
  for (int t = 0; t < T; ++t) _mm512_storeu_ps(y + t * y_stride, _mm512_load_ps(acc[t]));
}

// 32-token AMX tiles, then 16-token ones; decode and single leftover tokens keep AVX-512's.
template <template <int> typename Kernel>
void UseAmx(TileKernel* tile) {
  *tile = {Kernel<2>::fn, tile->one, kSymTileRows, 2 * kAmxTileTokens, Kernel<1>::fn,
           kAmxTileTokens};
}

template <typename Blocks, typename Block>
struct SymmetricAmx {
  template <int NT>
  struct Kernel {
    static constexpr RowTileFn fn = AmxSymmetric16<NT, Blocks, Block>;
  };
};
template <int NT>
struct Q4_K {
  static constexpr RowTileFn fn = AmxQ4_K16<NT>;
};
template <int NT>
struct Q6_K {
  static constexpr RowTileFn fn = AmxQ6_K16<NT>;
};

KernelTable MakeAmxTable() {
  KernelTable t = Avx512KernelTable();
  UseAmx<SymmetricAmx<Q8_0Blocks, BlockQ8_0>::Kernel>(&t.q8_0.tile);
  UseAmx<SymmetricAmx<Q4_0Blocks, BlockQ4_0>::Kernel>(&t.q4_0.tile);
  UseAmx<SymmetricAmx<Q5_0Blocks, BlockQ5_0>::Kernel>(&t.q5_0.tile);
  UseAmx<Q4_K>(&t.q4_k.tile);
  UseAmx<Q6_K>(&t.q6_k.tile);
  return t;
}

}  // namespace

const KernelTable& AmxKernelTable() {
  static const KernelTable table = MakeAmxTable();
  return table;
}

}  // namespace hfd::cpu
