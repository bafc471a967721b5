// MXFP4: 17-byte blocks {u8 e; u8 qs[16]}; element j is the low nibble of qs[j], element
// j + 16 the high nibble; x = level(q) * 2^(e - 128) with the doubled E2M1 levels of
// iq_tables.glsl. Odd-sized blocks leave rows off 16-bit boundaries, so MXFP4 rows are
// addressed in bytes: `row` is the byte where the row starts.
#include "iq_tables.glsl"

void dequant_unit(uint row, uint unit, uint ncols, out float v[32]) {
  uint b = row + unit * 17u;
  float d = mxfp4_half_scale(w_byte(0u, b));
  for (uint j = 0; j < 16; ++j) {
    uint q = w_byte(0u, b + 1u + j);
    v[j] = d * float(kMxfp4Levels[q & 0xfu]);
    v[j + 16] = d * float(kMxfp4Levels[q >> 4]);
  }
}
