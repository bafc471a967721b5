// Q6_K: 210-byte super-blocks {u8 ql[128]; u8 qh[64]; i8 scales[16]; half d}. Each half
// h of 128 elements holds four sub-blocks of 32: sub-block q (0..3) takes the low (q < 2)
// or high nibble of ql[64h + 32*(q&1) + l], bits 2q..2q+1 of qh[32h + l], and the scale
// scales[8h + 2q + l/16]; x = d * scale * (q6 - 32).
void dequant_unit(uint row, uint unit, uint ncols, out float v[32]) {
  uint b = row + (unit / 8) * 105;
  uint s = unit % 8;
  uint h = s / 4;
  uint q = s % 4;
  float d = w_half(b + 104);
  float d0 = d * float(w_sbyte(b, 192 + 8 * h + 2 * q));
  float d1 = d * float(w_sbyte(b, 192 + 8 * h + 2 * q + 1));
  uint shift = (q >> 1) * 4;
  for (uint l = 0; l < 32; ++l) {
    uint lo = (w_byte(b, 64 * h + 32 * (q & 1u) + l) >> shift) & 0xfu;
    uint hi = (w_byte(b, 128 + 32 * h + l) >> (2 * q)) & 3u;
    v[l] = (l < 16 ? d0 : d1) * (float(lo | (hi << 4)) - 32.0);
  }
}
