// IQ3_XXS: 98-byte super-blocks {half d; u8 grid_index[64]; u32 sign_scale[8]} in 8
// sub-blocks of 32. Sub-block s, group l (0..3) of 8 values: grid points grid_index[8s + 2l]
// and [8s + 2l + 1], signs from the 7-bit code (sign_scale[s] >> 7l) & 127 whose eighth
// bit makes the count of negatives even; x = d * (0.5 + (sign_scale[s] >> 28)) * 0.5 * value.
// The rows start after the grid (iq3_grid.glsl).
#include "iq3_grid.glsl"

void dequant_unit(uint row, uint unit, uint ncols, out float v[32]) {
  uint b = kIq3XxsGridWords + row + (unit / 8) * 49;
  uint s = unit % 8;
  uint word = w_word(b + 33 + 2 * s) | (w_word(b + 34 + 2 * s) << 16);
  float d = w_half(b) * (0.5 + float(word >> 28)) * 0.5;
  for (uint l = 0; l < 4; ++l) {
    uint code = (word >> (7 * l)) & 127u;
    uint signs = code | ((uint(bitCount(code)) & 1u) << 7);
    uvec2 points = uvec2(iq3_grid_point(w_byte(b + 1, 8 * s + 2 * l)),
                         iq3_grid_point(w_byte(b + 1, 8 * s + 2 * l + 1)));
    for (uint j = 0; j < 8; ++j) v[8 * l + j] = iq3_value(points, signs, j, d);
  }
}
