// One weight matrix at binding 0, its rows in their stored GGML layout; row `r` of a
// buffer starts at r * row_stride 16-bit words (bytes for MXFP4; after the codebook, for
// the IQ3 types). See weight_codec.glsl for dequant_unit.
layout(std430, binding = 0) readonly buffer Weights { uint16_t w[]; };
#include "weight_codec.glsl"
