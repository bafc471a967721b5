// Q4_0: 18-byte blocks {half d; u8 qs[16]}; element j is the low nibble of qs[j],
// element j + 16 the high nibble; x = d * (q - 8).
void dequant_unit(uint row, uint unit, uint ncols, out float v[32]) {
  uint b = row + unit * 9;
  float d = w_half(b);
  for (uint j = 0; j < 16; ++j) {
    uint q = w_byte(b + 1, j);
    v[j] = d * (float(q & 0xfu) - 8.0);
    v[j + 16] = d * (float(q >> 4) - 8.0);
  }
}
