// Q5_K: 176-byte super-blocks {half d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]}.
// Like Q4_K, plus bit s of qh[l] as the 5th bit of element l of sub-block s.
#include "kquant_scales.glsl"

void dequant_unit(uint row, uint unit, uint ncols, out float v[32]) {
  uint b = row + (unit / 8) * 88;
  uint s = unit % 8;
  float sc, m;
  scale_min_k4(b, 4, s, sc, m);
  float d = w_half(b) * sc;
  float dm = w_half(b + 1) * m;
  uint shift = (s & 1u) * 4;
  for (uint l = 0; l < 32; ++l) {
    uint q = (w_byte(b, 48 + 32 * (s / 2) + l) >> shift) & 0xfu;
    uint h = (w_byte(b, 16 + l) >> s) & 1u;
    v[l] = d * float(q | (h << 4)) - dm;
  }
}
