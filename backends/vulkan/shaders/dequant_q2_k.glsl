// Q2_K: 84-byte super-blocks {u8 scales[16]; u8 qs[64]; half d, dmin} in 16 sub-blocks of
// 16. Element 128h + 32s + l is bits 2s..2s+1 of qs[32h + l]; sub-block g = element / 16
// has x = d * (scales[g] & 15) * q - dmin * (scales[g] >> 4).
void dequant_unit(uint row, uint unit, uint ncols, out float v[32]) {
  uint b = row + (unit / 8) * 42;
  uint s = unit % 8;
  float d = w_half(b + 40);
  float dmin = w_half(b + 41);
  uint h = s / 4;
  uint shift = 2 * (s % 4);
  for (uint l = 0; l < 32; ++l) {
    uint sc = w_byte(b, 2 * s + l / 16);
    uint q = (w_byte(b, 16 + 32 * h + l) >> shift) & 3u;
    v[l] = d * float(sc & 0xfu) * float(q) - dmin * float(sc >> 4);
  }
}
