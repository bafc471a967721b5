#version 450
// The prefill matmul of mul_mat.comp on cooperative matrices (GL_NV_cooperative_matrix,
// tensor cores on NVIDIA GPUs): Y[t][out_row0 + r] = W[r] . X[t], same bindings and push
// constants. A workgroup of four 32-wide subgroups computes a 64-row x 64-token tile,
// each subgroup a 32x32 quarter as 2x4 products of 16x16 (weights) by 16x8 (tokens)
// half-precision matrices accumulated in single precision. Per 32-wide k step, 64
// invocations dequantize one unit of a weight row each into shared memory (as halves)
// while the other 64 load X's tile; the accumulators go through shared memory so only
// in-range outputs are written. Selected only on devices that offer this shape
// (coopmat.h) and after a self-check against mul_mat.comp.
#extension GL_GOOGLE_include_directive : require
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
layout(local_size_x = 128) in;
#include "common.glsl"
#include "weights.glsl"

layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push {
  uint ncols;
  uint row_stride;
  uint nrows;
  uint out_row0;
  uint x_stride;
  uint y_stride;
  uint ntok;
} pc;

const uint TILE = 64;
const uint PITCH = 40;  // halves per shared row: 32 + 8, keeps rows 16-byte aligned
shared float16_t ws[TILE * PITCH];  // [row][k]
shared float16_t xs[TILE * PITCH];  // [token][k]
shared float cs[TILE * TILE];       // [token][row], the finished tile

void main() {
  uint lid = gl_LocalInvocationID.x;
  uint sg = gl_SubgroupID;  // 0..3: which 32x32 quarter
  uint sg_row = (sg & 1u) * 32;
  uint sg_tok = (sg >> 1) * 32;
  uint row0 = gl_WorkGroupID.x * TILE;
  uint tok0 = gl_WorkGroupID.y * TILE;

  fcoopmatNV<32, gl_ScopeSubgroup, 16, 8> acc[2][4];
  for (uint i = 0; i < 2; ++i) {
    for (uint j = 0; j < 4; ++j) acc[i][j] = fcoopmatNV<32, gl_ScopeSubgroup, 16, 8>(0.0);
  }
  uint nunits = (pc.ncols + 31) / 32;
  for (uint u = 0; u < nunits; ++u) {
    if (lid < TILE) {
      float v[32];
      uint r = row0 + lid;
      if (r < pc.nrows) {
        dequant_unit(r * pc.row_stride, u, pc.ncols, v);
      } else {
        for (uint i = 0; i < 32; ++i) v[i] = 0.0;
      }
      for (uint i = 0; i < 32; ++i) ws[lid * PITCH + i] = float16_t(v[i]);
    } else {
      for (uint e = lid - TILE; e < TILE * 32; e += TILE) {
        uint t = e / 32;
        uint k = u * 32 + e % 32;
        float v = (tok0 + t < pc.ntok && k < pc.ncols) ? x[(tok0 + t) * pc.x_stride + k] : 0.0;
        xs[t * PITCH + e % 32] = float16_t(v);
      }
    }
    barrier();
    for (uint kk = 0; kk < 32; kk += 16) {
      fcoopmatNV<16, gl_ScopeSubgroup, 16, 16> a[2];
      for (uint i = 0; i < 2; ++i) {
        coopMatLoadNV(a[i], ws, (sg_row + 16 * i) * PITCH + kk, PITCH, false);
      }
      for (uint j = 0; j < 4; ++j) {
        // Element (k, t) of the 16x8 factor is xs[t][k]: column-major with pitch PITCH.
        fcoopmatNV<16, gl_ScopeSubgroup, 16, 8> b;
        coopMatLoadNV(b, xs, (sg_tok + 8 * j) * PITCH + kk, PITCH, true);
        for (uint i = 0; i < 2; ++i) acc[i][j] = coopMatMulAddNV(a[i], b, acc[i][j]);
      }
    }
    barrier();
  }
  // Element (r, t) of a 16x8 accumulator goes to cs[t][r]: column-major with pitch TILE.
  for (uint i = 0; i < 2; ++i) {
    for (uint j = 0; j < 4; ++j) {
      coopMatStoreNV(acc[i][j], cs, (sg_tok + 8 * j) * TILE + sg_row + 16 * i, TILE, true);
    }
  }
  barrier();
  for (uint e = lid; e < TILE * TILE; e += 128) {
    uint t = e / TILE;
    uint r = e % TILE;
    if (row0 + r < pc.nrows && tok0 + t < pc.ntok) {
      y[(tok0 + t) * pc.y_stride + pc.out_row0 + row0 + r] = cs[e];
    }
  }
}
