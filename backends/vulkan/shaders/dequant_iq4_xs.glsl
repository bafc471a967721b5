// IQ4_XS: 136-byte super-blocks {half d; u16 scales_h; u8 scales_l[4]; u8 qs[128]}: 8
// sub-blocks of 32 laid out like IQ4_NL blocks, sub-block s with the 6-bit scale
// (low 4 bits: nibble s%2 of scales_l[s/2]; high 2 bits: bits 2s..2s+1 of scales_h) - 32.
#include "iq_tables.glsl"

void dequant_unit(uint row, uint unit, uint ncols, out float v[32]) {
  uint b = row + (unit / 8) * 68;
  uint s = unit % 8;
  uint low = (w_byte(b, 4 + s / 2) >> (4 * (s % 2))) & 0xfu;
  uint high = (w_word(b + 1) >> (2 * s)) & 3u;
  float d = w_half(b) * float(int(low | (high << 4)) - 32);
  for (uint j = 0; j < 16; ++j) {
    uint q = w_byte(b, 8 + 16 * s + j);
    v[j] = d * float(kIq4NlLevels[q & 0xfu]);
    v[j + 16] = d * float(kIq4NlLevels[q >> 4]);
  }
}
