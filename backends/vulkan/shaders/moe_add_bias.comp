#version 450
// kMoeAddBias: o[t][s * width + i] = x[t][s * width + i] + bias[e][i], e expert s of t
// (kMoeRoute's table); the bias rows, one per expert, in their stored float type
// (weights.glsl at binding 0). One invocation per 32 elements of a (token, slot) pair.
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 64) in;
#include "common.glsl"
#include "weights.glsl"

layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) writeonly buffer Out { float o[]; };
layout(std430, binding = 3) readonly buffer Routes { float routes[]; };
layout(push_constant) uniform Push {
  uint width;       // elements of a bias row and of a pair's part of x
  uint row_stride;  // in dequant_unit's address unit (weight_codec.glsl)
  uint pairs;       // tokens * top_k
  uint top_k;
  uint n_expert;
} pc;

void main() {
  uint units = (pc.width + 31) / 32;
  uint i = flat_index();
  if (i >= pc.pairs * units) return;
  uint pair = i / units, unit = i % units;
  uint e = uint(routes[(pair / pc.top_k) * 2 * pc.top_k + pair % pc.top_k]);
  if (e >= pc.n_expert) return;  // kMoeRoute writes none: no read outside the rows
  float v[32];
  dequant_unit(e * pc.row_stride, unit, pc.width, v);
  uint base = pair * pc.width + unit * 32;
  uint n = min(32u, pc.width - unit * 32);
  for (uint k = 0; k < n; ++k) o[base + k] = x[base + k] + v[k];
}
