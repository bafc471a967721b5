// The AMX tile configurations the AMX kernels share: palette 1, eight tiles of 64-byte rows.
// Only for translation units compiled with -mamx-tile; the functions here have internal
// linkage, so no copy compiled with one TU's target flags is shared with another.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace hfd::cpu {

// The tile configuration this thread has loaded (UseTiles' key), 0 before the first: one
// variable for all AMX translation units (kernels_amx.cc defines it), which share the tiles.
extern thread_local int loaded_tile_config;

namespace {

// Palette 1's tile configuration (LDTILECFG's 64-byte operand).
struct alignas(64) TileConfig {
  uint8_t palette;
  uint8_t start_row;
  uint8_t reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
};
static_assert(sizeof(TileConfig) == 64);

// Tiles 0 to 5 hold tokens (results 0 to 3, activations 4 and 5: every kernel's convention),
// 6 and 7 weights. Token tiles have 16 rows, or exactly a few-token call's tokens (sequences
// decoded together), so that it neither copies its activations into a padded tile nor stores
// results it drops. A product spans k_bytes values: 64, or 32 where a kernel multiplies one
// 32-value block per product (the activation tiles k_bytes wide, the weight tiles k_bytes / 4
// rows).
[[maybe_unused]] void LoadTileConfig(int token_rows, int k_bytes) {
  TileConfig cfg{};
  cfg.palette = 1;
  for (int tile = 0; tile < 8; ++tile) {
    const bool activations = tile == 4 || tile == 5;
    cfg.rows[tile] = static_cast<uint8_t>(tile < 6 ? token_rows : k_bytes / 4);
    cfg.colsb[tile] = static_cast<uint16_t>(activations ? k_bytes : 64);
  }
  // GCC's _tile_loadconfig declares a read of only the configuration's first 8 bytes, which
  // would let it drop the stores of rows and columns computed here.
  __asm__ __volatile__("" : : "r"(&cfg) : "memory");
  _tile_loadconfig(&cfg);
}

// Gives the tile state back (the OS then need not save it) when the thread ends.
struct TileRelease {
  TileRelease() = default;
  ~TileRelease() {
    _tile_release();
    loaded_tile_config = 0;
  }
  TileRelease(const TileRelease&) = delete;
  TileRelease& operator=(const TileRelease&) = delete;
};

// Loads the configuration with `token_rows` rows per token tile and products of `k_bytes`
// values unless the thread has it.
[[maybe_unused]] void UseTiles(int token_rows = 16, int k_bytes = 64) {
  thread_local TileRelease release;
  const int config = token_rows | k_bytes << 8;
  if (loaded_tile_config == config) return;
  LoadTileConfig(token_rows, k_bytes);
  loaded_tile_config = config;
}

}  // namespace
}  // namespace hfd::cpu
