// Q4_1: 20-byte blocks {half d, m; u8 qs[16]}; x = d * q + m.
void dequant_unit(uint row, uint unit, uint ncols, out float v[32]) {
  uint b = row + unit * 10;
  float d = w_half(b);
  float m = w_half(b + 1);
  for (uint j = 0; j < 16; ++j) {
    uint q = w_byte(b + 2, j);
    v[j] = d * float(q & 0xfu) + m;
    v[j + 16] = d * float(q >> 4) + m;
  }
}
