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

// The signed 6-bit scale of sub-block `g` (0..15) of the Q3_K block at word `b`: 12 bytes
// from byte 96 hold the low 4 bits (bytes 0..7, two per byte) and the high 2 bits (bytes
// 8..11, four per byte), biased by 32.
int scale_q3_k(uint b, uint g) {
  uint low = g < 8 ? (w_byte(b, 96 + g) & 0xfu) : (w_byte(b, 96 + g - 8) >> 4);
  uint high = (w_byte(b, 104 + g % 4) >> (2 * (g / 4))) & 3u;
  return int(low | (high << 4)) - 32;
}
