// IQ3_S: 110-byte super-blocks {half d; u8 qs[64]; u8 qh[8]; u8 signs[32]; u8 scales[4]} in
// 8 sub-blocks of 32. Sub-block s, group l (0..3) of 8 values: grid points with the 9-bit
// indices qs[8s + 2l + k] | (bit 2l + k of qh[s]) << 8 (k = 0, 1), one sign bit per value
// in signs[4s + l]; x = d * (1 + 2 * (nibble s % 2 of scales[s / 2])) * value.
// The rows start after the grid (iq3_grid.glsl).
#include "iq3_grid.glsl"

void dequant_unit(uint row, uint unit, uint ncols, out float v[32]) {
  uint b = kIq3SGridWords + row + (unit / 8) * 55;
  uint s = unit % 8;
  float d = w_half(b) * float(1u + 2u * ((w_byte(b, 106 + s / 2) >> (4 * (s % 2))) & 0xfu));
  uint qh = w_byte(b, 66 + s);
  for (uint l = 0; l < 4; ++l) {
    uint lo = w_byte(b, 2 + 8 * s + 2 * l) | (((qh >> (2 * l)) & 1u) << 8);
    uint hi = w_byte(b, 3 + 8 * s + 2 * l) | (((qh >> (2 * l + 1)) & 1u) << 8);
    uvec2 points = uvec2(iq3_grid_point(lo), iq3_grid_point(hi));
    uint signs = w_byte(b, 74 + 4 * s + l);
    for (uint j = 0; j < 8; ++j) v[8 * l + j] = iq3_value(points, signs, j, d);
  }
}
