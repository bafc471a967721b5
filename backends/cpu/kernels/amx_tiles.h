// The AMX tile configuration all AMX kernels share: palette 1, all eight tiles 16 rows x 64
// bytes. Only for translation units compiled with -mamx-tile; everything here has internal
// linkage, so no copy compiled with one TU's target flags is shared with another.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace hfd::cpu {
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

// Every kernel uses the same configuration, so a thread loads it once.
class ThreadTiles {
 public:
  ThreadTiles() {
    TileConfig cfg{};
    cfg.palette = 1;
    for (int tile = 0; tile < 8; ++tile) {
      cfg.rows[tile] = 16;
      cfg.colsb[tile] = 64;
    }
    _tile_loadconfig(&cfg);
  }
  // Gives the tile state back (the OS then need not save it) when the thread ends.
  ~ThreadTiles() { _tile_release(); }
  ThreadTiles(const ThreadTiles&) = delete;
  ThreadTiles& operator=(const ThreadTiles&) = delete;
};

[[maybe_unused]] void UseTiles() { thread_local ThreadTiles tiles; }

}  // namespace
}  // namespace hfd::cpu
