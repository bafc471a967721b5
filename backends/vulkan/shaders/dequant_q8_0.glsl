// Q8_0: 34-byte blocks {half d; int8 qs[32]}; x = d * q.
void dequant_unit(uint row, uint unit, uint ncols, out float v[32]) {
  uint b = row + unit * 17;
  float d = w_half(b);
  for (uint i = 0; i < 32; ++i) v[i] = d * float(w_sbyte(b + 1, i));
}
