// Q5_1: 24-byte blocks {half d, m; u8 qh[4]; u8 qs[16]}; x = d * q + m.
void dequant_unit(uint row, uint unit, uint ncols, out float v[32]) {
  uint b = row + unit * 12;
  float d = w_half(b);
  float m = w_half(b + 1);
  uint qh = w_word(b + 2) | (w_word(b + 3) << 16);
  for (uint j = 0; j < 16; ++j) {
    uint q = w_byte(b + 4, j);
    uint h0 = ((qh >> j) << 4) & 0x10u;
    uint h1 = (qh >> (j + 12)) & 0x10u;
    v[j] = d * float((q & 0xfu) | h0) + m;
    v[j + 16] = d * float((q >> 4) | h1) + m;
  }
}
