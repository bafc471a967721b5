// BF16: the high half of an F32.
void dequant_unit(uint row, uint unit, uint ncols, out float v[32]) {
  for (uint i = 0; i < 32; ++i) {
    uint k = unit * 32 + i;
    v[i] = k < ncols ? uintBitsToFloat(w_word(row + k) << 16) : 0.0;
  }
}
