// Constants of GGML's i-quant types and MXFP4 (as engine/quant/iq_tables.h and
// mxfp4_tables.h) and helpers that read no weight buffer. Guarded: weight_pair.glsl may include two decoders that both need them, and
// one copy serves both.
#ifndef HFD_IQ_TABLES
#define HFD_IQ_TABLES

// IQ4_NL's 16 levels (GGML's published constants).
const int kIq4NlLevels[16] =
    int[](-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113);

// MXFP4's E2M1 values (0, 0.5, 1, 1.5, 2, 3, 4, 6, then negated) doubled to integers.
const int kMxfp4Levels[16] = int[](0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12);

// Half of the E8M0 scale 2^(e - 127) (to match the doubled levels), exactly; e = 255 is NaN.
float mxfp4_half_scale(uint e) {
  uint bits = e == 255u ? 0x7fc00000u : (e < 2u ? (0x00200000u << e) : ((e - 1u) << 23));
  return uintBitsToFloat(bits);
}

// The IQ3 grids are not constants here: as GLSL arrays of 256 and 512 words they took
// lavapipe minutes per pipeline. The device copy of an IQ3 tensor carries its grid ahead of
// its rows instead (DeviceTensor::Codebook), in this many 16-bit words.
const uint kIq3XxsGridWords = 512u;
const uint kIq3SGridWords = 1024u;

// Value j (0..7) of two IQ3 grid points (four magnitude bytes each, little-endian): the
// magnitude times d, negated where bit j of `signs` is set.
float iq3_value(uvec2 points, uint signs, uint j, float d) {
  float x = d * float((points[j / 4u] >> (8u * (j % 4u))) & 0xffu);
  return ((signs >> j) & 1u) != 0u ? -x : x;
}

#endif
