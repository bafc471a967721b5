// Q4_K: 144-byte super-blocks of 256 {half d, dmin; u8 scales[12]; u8 qs[128]} in 8
// sub-blocks of 32. Sub-block s uses bytes qs[32*(s/2) ..] (low nibbles for even s, high
// for odd) and x = d * sc(s) * q - dmin * m(s).
#include "kquant_scales.glsl"

void dequant_unit(uint row, uint unit, uint ncols, out float v[32]) {
  uint b = row + (unit / 8) * 72;
  uint s = unit % 8;
  float sc, m;
  scale_min_k4(b, 4, s, sc, m);
  float d = w_half(b) * sc;
  float dm = w_half(b + 1) * m;
  uint shift = (s & 1u) * 4;
  for (uint l = 0; l < 32; ++l) {
    uint q = (w_byte(b, 16 + 32 * (s / 2) + l) >> shift) & 0xfu;
    v[l] = d * float(q) - dm;
  }
}
