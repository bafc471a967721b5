// F32: two 16-bit words per element.
void dequant_unit(uint row, uint unit, uint ncols, out float v[32]) {
  for (uint i = 0; i < 32; ++i) {
    uint k = unit * 32 + i;
    v[i] = k < ncols ? uintBitsToFloat(w_word(row + 2 * k) | (w_word(row + 2 * k + 1) << 16)) : 0.0;
  }
}
