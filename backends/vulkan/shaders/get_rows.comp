#version 450
// out[t] = dequantized row (r - first_row) of one weight chunk, for the tokens whose row r
// falls in this chunk. r is token t's id (the embedding lookup), its position within its
// text (learned absolute positions) or one fixed row (BERT's token type), as ROW_SOURCE
// says. One invocation per 32-element unit.
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 64) in;
// 0: the token's id; 1: its position within its text; 2: row pc.fixed_row.
layout(constant_id = 0) const uint ROW_SOURCE = 0;
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
  uint fixed_row;
} pc;

void main() {
  uint t = gl_WorkGroupID.y;
  uint u = gl_WorkGroupID.x * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
  uint id = ROW_SOURCE == 0u   ? uint(p_tokens[t])
            : ROW_SOURCE == 1u ? t - text_begin(t)
                               : pc.fixed_row;
  if (u * 32 >= pc.ncols || id < pc.first_row || id >= pc.first_row + pc.nrows) return;
  float v[32];
  dequant_unit((id - pc.first_row) * pc.row_stride, u, pc.ncols, v);
  uint n = min(32u, pc.ncols - u * 32);
  for (uint i = 0; i < n; ++i) y[t * pc.ncols + u * 32 + i] = v[i];
}
