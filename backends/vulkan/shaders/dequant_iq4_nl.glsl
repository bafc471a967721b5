// IQ4_NL: 18-byte blocks {half d; u8 qs[16]}; element j is the low nibble of qs[j],
// element j + 16 the high nibble; x = d * level(q) with the 16 levels of iq_tables.glsl.
#include "iq_tables.glsl"

void dequant_unit(uint row, uint unit, uint ncols, out float v[32]) {
  uint b = row + unit * 9;
  float d = w_half(b);
  for (uint j = 0; j < 16; ++j) {
    uint q = w_byte(b + 1, j);
    v[j] = d * float(kIq4NlLevels[q & 0xfu]);
    v[j + 16] = d * float(kIq4NlLevels[q >> 4]);
  }
}
