#version 450
// Y[t][out_row0 + r] = W[r] . X[t] for a block of tokens (prefill): 64x64 output tiles,
// 16x16 invocations each computing 4x4 outputs (8 shared-memory reads per 16 FMAs). Per
// 32-wide k step, 64 invocations dequantize one unit of a weight row each into shared
// memory while the other 192 load X's tile.
// MOE: the indexed-expert product over the (token, slot) pairs grouped by expert
// (moe_group.comp's index at binding 3): workgroup z is an expert of the chunk, y a tile
// of its pairs, so each expert's weights are read once per 64 of its pairs; tiles past
// the expert's pair count return at once.
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 16, local_size_y = 16) in;
#include "common.glsl"
#include "weights.glsl"

layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
#ifdef MOE
#include "moe_push.glsl"
// counts[n_expert], starts[n_expert], cursors[n_expert], then the pairs by expert.
layout(std430, binding = 3) readonly buffer Group { uint group[]; };
#else
layout(push_constant) uniform Push {
  uint ncols;
  uint row_stride;
  uint nrows;
  uint out_row0;
  uint x_stride;
  uint y_stride;
  uint ntok;
} pc;
#endif

const uint TILE = 64;

#ifdef MOE
// The i-th pair of this workgroup's expert, and where its input and output rows start.
uint pair_of(uint i) {
  uint e = pc.first_expert + gl_WorkGroupID.z;
  return group[3 * pc.n_expert + group[pc.n_expert + e] + i];
}
uint x_row(uint i) { return moe_x_row(pair_of(i)); }
uint y_row(uint i) { return pair_of(i) * pc.y_stride; }
#else
uint x_row(uint t) { return t * pc.x_stride; }
uint y_row(uint t) { return t * pc.y_stride; }
#endif

shared float ws[TILE][33];  // [row][k], padded against bank conflicts
shared float xs[TILE][33];  // [token][k]

void main() {
  uint lx = gl_LocalInvocationID.x;
  uint ly = gl_LocalInvocationID.y;
  uint lid = ly * 16 + lx;
  uint row0 = gl_WorkGroupID.x * TILE;
  uint tok0 = gl_WorkGroupID.y * TILE;
#ifdef MOE
  // Uniform over the workgroup, so returning skips the barriers for all alike.
  uint ntok = group[pc.first_expert + gl_WorkGroupID.z];
  if (tok0 >= ntok) return;
  uint wrow0 = gl_WorkGroupID.z * pc.nrows;  // the expert's first row in the chunk
#else
  uint ntok = pc.ntok;
  uint wrow0 = 0;
#endif
  float acc[4][4];
  for (uint i = 0; i < 4; ++i) {
    for (uint j = 0; j < 4; ++j) acc[i][j] = 0.0;
  }
  uint nunits = (pc.ncols + 31) / 32;
  for (uint u = 0; u < nunits; ++u) {
    if (lid < TILE) {
      float v[32];
      uint r = row0 + lid;
      if (r < pc.nrows) {
        dequant_unit((wrow0 + r) * pc.row_stride, u, pc.ncols, v);
      } else {
        for (uint i = 0; i < 32; ++i) v[i] = 0.0;
      }
      for (uint i = 0; i < 32; ++i) ws[lid][i] = v[i];
    } else {
      for (uint e = lid - TILE; e < TILE * 32; e += 256 - TILE) {
        uint t = e / 32;
        uint k = u * 32 + e % 32;
        xs[t][e % 32] = (tok0 + t < ntok && k < pc.ncols) ? x[x_row(tok0 + t) + k] : 0.0;
      }
    }
    barrier();
    for (uint k = 0; k < 32; ++k) {
      float a[4];
      float b[4];
      for (uint i = 0; i < 4; ++i) a[i] = ws[lx + 16 * i][k];
      for (uint j = 0; j < 4; ++j) b[j] = xs[ly + 16 * j][k];
      for (uint i = 0; i < 4; ++i) {
        for (uint j = 0; j < 4; ++j) acc[i][j] += a[i] * b[j];
      }
    }
    barrier();
  }
  for (uint i = 0; i < 4; ++i) {
    for (uint j = 0; j < 4; ++j) {
      uint r = row0 + lx + 16 * i;
      uint t = tok0 + ly + 16 * j;
      if (r < pc.nrows && t < ntok) y[y_row(t) + pc.out_row0 + r] = acc[i][j];
    }
  }
}
