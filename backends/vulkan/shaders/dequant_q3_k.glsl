// Q3_K: 110-byte super-blocks {u8 hmask[32]; u8 qs[64]; u8 scales[12]; half d} in 16
// sub-blocks of 16. Element 128h + 32s + l: two low bits 2s..2s+1 of qs[32h + l], minus 4
// where bit 4h + s of hmask[l] is clear; x = d * scale(element / 16) * q.
#include "kquant_scales.glsl"

void dequant_unit(uint row, uint unit, uint ncols, out float v[32]) {
  uint b = row + (unit / 8) * 55;
  uint s = unit % 8;
  float d = w_half(b + 54);
  float d0 = d * float(scale_q3_k(b, 2 * s));
  float d1 = d * float(scale_q3_k(b, 2 * s + 1));
  uint h = s / 4;
  uint shift = 2 * (s % 4);
  for (uint l = 0; l < 32; ++l) {
    int q = int((w_byte(b, 32 + 32 * h + l) >> shift) & 3u);
    if (((w_byte(b, l) >> (4 * h + s % 4)) & 1u) == 0u) q -= 4;
    v[l] = (l < 16 ? d0 : d1) * float(q);
  }
}
