// F16: one IEEE half per element.
void dequant_unit(uint row, uint unit, uint ncols, out float v[32]) {
  for (uint i = 0; i < 32; ++i) {
    uint k = unit * 32 + i;
    v[i] = k < ncols ? w_half(row + k) : 0.0;
  }
}
