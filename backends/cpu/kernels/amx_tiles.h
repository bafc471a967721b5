// The AMX tile configurations the AMX kernels share: palette 1, eight tiles of 64-byte rows.
// Only for translation units compiled with -mamx-tile; the functions here have internal
// linkage, so no copy compiled with one TU's target flags is shared with another.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace hfd::cpu {

// The token rows of the tile configuration this thread has loaded, 0 before the first: one
// variable for all AMX translation units (kernels_amx.cc defines it), which share the tiles.
extern thread_local int tile_token_rows;

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
// results it drops.
[[maybe_unused]] void LoadTileConfig(int token_rows) {
  TileConfig cfg{};
  cfg.palette = 1;
  for (int tile = 0; tile < 8; ++tile) {
    cfg.rows[tile] = static_cast<uint8_t>(tile < 6 ? token_rows : 16);
    cfg.colsb[tile] = 64;
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
    tile_token_rows = 0;
  }
  TileRelease(const TileRelease&) = delete;
  TileRelease& operator=(const TileRelease&) = delete;
};

// Loads the configuration with `token_rows` rows per token tile unless the thread has it.
[[maybe_unused]] void UseTiles(int token_rows = 16) {
  thread_local TileRelease release;
  if (tile_token_rows == token_rows) return;
  LoadTileConfig(token_rows);
  tile_token_rows = token_rows;
}

}  // namespace
}  // namespace hfd::cpu
