// The decoder of one weight matrix in its stored GGML layout, read as 16-bit words from
// an array `w` declared by the includer: weights.glsl binds one matrix; weight_pair.glsl
// includes this file twice, with its identifiers renamed by weight_rename.glsl, to read
// two. Every GGML block size but MXFP4's (17 bytes) is even, so their blocks start on a
// 16-bit boundary. Each type's dequant_*.glsl defines
//   void dequant_unit(uint row_at, uint unit, uint ncols, out float v[32])
// producing the 32 values of elements [32*unit, 32*unit + 32) of the row at row_at
// (values past ncols are 0; only float types have rows that are not a multiple of 32).
// row_at is row * the push constant row_stride: a 16-bit word index, or a byte index for
// MXFP4 (Kernels::RowStride). It counts from the first row: a type whose buffers hold a
// codebook ahead of the rows (the IQ3 grids, DeviceTensor::Codebook) adds the codebook's
// size itself.
// A new function defined here or in a dequant file must be added to weight_rename.glsl
// (the build fails with a redefinition otherwise).

uint w_word(uint at) { return uint(w[at]); }

// Byte `b` counted from the 16-bit word `base`.
uint w_byte(uint base, uint b) {
  uint word = uint(w[base + (b >> 1)]);
  return (b & 1u) != 0u ? (word >> 8) : (word & 0xffu);
}

float w_half(uint at) { return unpackHalf2x16(uint(w[at])).x; }

// Signed byte.
int w_sbyte(uint base, uint b) { return int(w_byte(base, b) << 24) >> 24; }

#if defined(WTYPE_F32)
#include "dequant_f32.glsl"
#elif defined(WTYPE_F16)
#include "dequant_f16.glsl"
#elif defined(WTYPE_BF16)
#include "dequant_bf16.glsl"
#elif defined(WTYPE_Q8_0)
#include "dequant_q8_0.glsl"
#elif defined(WTYPE_Q4_0)
#include "dequant_q4_0.glsl"
#elif defined(WTYPE_Q4_1)
#include "dequant_q4_1.glsl"
#elif defined(WTYPE_Q5_0)
#include "dequant_q5_0.glsl"
#elif defined(WTYPE_Q5_1)
#include "dequant_q5_1.glsl"
#elif defined(WTYPE_Q4_K)
#include "dequant_q4_k.glsl"
#elif defined(WTYPE_Q5_K)
#include "dequant_q5_k.glsl"
#elif defined(WTYPE_Q6_K)
#include "dequant_q6_k.glsl"
#elif defined(WTYPE_Q2_K)
#include "dequant_q2_k.glsl"
#elif defined(WTYPE_Q3_K)
#include "dequant_q3_k.glsl"
#elif defined(WTYPE_IQ4_NL)
#include "dequant_iq4_nl.glsl"
#elif defined(WTYPE_IQ4_XS)
#include "dequant_iq4_xs.glsl"
#elif defined(WTYPE_IQ3_XXS)
#include "dequant_iq3_xxs.glsl"
#elif defined(WTYPE_IQ3_S)
#include "dequant_iq3_s.glsl"
#elif defined(WTYPE_MXFP4)
#include "dequant_mxfp4.glsl"
#else
#error "define one WTYPE_*"
#endif
