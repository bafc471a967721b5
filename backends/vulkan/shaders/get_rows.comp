#version 450
// out[t] = dequantized row (tokens[t] - first_row) of one weight chunk, for the tokens
// whose id falls in this chunk (the embedding lookup). One invocation per 32-element unit.
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 64) in;
#include "common.glsl"
#include "weights.glsl"
#define PARAMS_BINDING 2
#include "params.glsl"

layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push {
  uint ncols;
  uint row_stride;
  uint first_row;
  uint nrows;
} pc;

void main() {
  uint t = gl_WorkGroupID.y;
  uint u = gl_WorkGroupID.x * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
  uint id = uint(p_tokens[t]);
  if (u * 32 >= pc.ncols || id < pc.first_row || id >= pc.first_row + pc.nrows) return;
  float v[32];
  dequant_unit((id - pc.first_row) * pc.row_stride, u, pc.ncols, v);
  uint n = min(32u, pc.ncols - u * 32);
  for (uint i = 0; i < n; ++i) y[t * pc.ncols + u * 32 + i] = v[i];
}
