// Q5_0: 22-byte blocks {half d; u8 qh[4]; u8 qs[16]}; bit j of the 32-bit qh is the 5th
// bit of element j; x = d * (q - 16).
void dequant_unit(uint row, uint unit, uint ncols, out float v[32]) {
  uint b = row + unit * 11;
  float d = w_half(b);
  uint qh = w_word(b + 1) | (w_word(b + 2) << 16);
  for (uint j = 0; j < 16; ++j) {
    uint q = w_byte(b + 3, j);
    uint h0 = ((qh >> j) << 4) & 0x10u;
    uint h1 = (qh >> (j + 12)) & 0x10u;
    v[j] = d * (float((q & 0xfu) | h0) - 16.0);
    v[j + 16] = d * (float((q >> 4) | h1) - 16.0);
  }
}
