// The 6-bit scale and min of sub-block `s` (0..7) of a Q4_K/Q5_K block, packed in the
// 12 bytes that start at byte `at` of the block at word `b`.
void scale_min_k4(uint b, uint at, uint s, out float sc, out float m) {
  if (s < 4) {
    sc = float(w_byte(b, at + s) & 63u);
    m = float(w_byte(b, at + s + 4) & 63u);
  } else {
    uint hi = w_byte(b, at + s + 4);
    sc = float((hi & 0xfu) | ((w_byte(b, at + s - 4) >> 6) << 4));
    m = float((hi >> 4) | ((w_byte(b, at + s) >> 6) << 4));
  }
}
