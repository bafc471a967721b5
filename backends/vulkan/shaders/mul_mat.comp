#version 450
// Y[t][out_row0 + r] = W[r] . X[t] for a block of tokens (prefill): 32x32 output tiles,
// 16x16 invocations each computing 2x2 outputs; per 32-wide k step, 32 invocations
// dequantize one unit of a weight row each into shared memory and all load X's tile.
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 16, local_size_y = 16) in;
#include "common.glsl"
#include "weights.glsl"

layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push {
  uint ncols;
  uint row_words;
  uint nrows;
  uint out_row0;
  uint x_stride;
  uint y_stride;
  uint ntok;
} pc;

shared float ws[32][33];  // [row][k], padded against bank conflicts
shared float xs[32][33];  // [token][k]

void main() {
  uint lx = gl_LocalInvocationID.x;
  uint ly = gl_LocalInvocationID.y;
  uint lid = ly * 16 + lx;
  uint row0 = gl_WorkGroupID.x * 32;
  uint tok0 = gl_WorkGroupID.y * 32;
  float acc[2][2] = {{0.0, 0.0}, {0.0, 0.0}};
  uint nunits = (pc.ncols + 31) / 32;
  for (uint u = 0; u < nunits; ++u) {
    if (lid < 32) {
      float v[32];
      uint r = row0 + lid;
      if (r < pc.nrows) {
        dequant_unit(r * pc.row_words, u, pc.ncols, v);
      } else {
        for (uint i = 0; i < 32; ++i) v[i] = 0.0;
      }
      for (uint i = 0; i < 32; ++i) ws[lid][i] = v[i];
    }
    for (uint e = lid; e < 32 * 32; e += 256) {
      uint t = e / 32;
      uint k = u * 32 + e % 32;
      xs[t][e % 32] = (tok0 + t < pc.ntok && k < pc.ncols) ? x[(tok0 + t) * pc.x_stride + k] : 0.0;
    }
    barrier();
    for (uint k = 0; k < 32; ++k) {
      for (uint i = 0; i < 2; ++i) {
        for (uint j = 0; j < 2; ++j) acc[i][j] += ws[lx + 16 * i][k] * xs[ly + 16 * j][k];
      }
    }
    barrier();
  }
  for (uint i = 0; i < 2; ++i) {
    for (uint j = 0; j < 2; ++j) {
      uint r = row0 + lx + 16 * i;
      uint t = tok0 + ly + 16 * j;
      if (r < pc.nrows && t < pc.ntok) y[t * pc.y_stride + pc.out_row0 + r] = acc[i][j];
    }
  }
}
