#version 450
// out[t] = index of the largest element of row t (the first one on ties): greedy decode
// copies back one id instead of the logits. One workgroup per row.
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 256) in;
#include "common.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { int o[]; };
layout(push_constant) uniform Push { uint width; } pc;

shared float best_v[256];
shared uint best_i[256];

void main() {
  uint t = gl_WorkGroupID.x;
  uint lid = gl_LocalInvocationID.x;
  float bv = -1.0 / 0.0;
  uint bi = 0xffffffffu;
  for (uint i = lid; i < pc.width; i += gl_WorkGroupSize.x) {
    float v = x[t * pc.width + i];
    if (v > bv) {  // strided ascending: keeps the first index of equal values
      bv = v;
      bi = i;
    }
  }
  best_v[lid] = bv;
  best_i[lid] = bi;
  barrier();
  for (uint stride = gl_WorkGroupSize.x / 2; stride > 0; stride /= 2) {
    if (lid < stride) {
      float ov = best_v[lid + stride];
      uint oi = best_i[lid + stride];
      if (ov > best_v[lid] || (ov == best_v[lid] && oi < best_i[lid])) {
        best_v[lid] = ov;
        best_i[lid] = oi;
      }
    }
    barrier();
  }
  if (lid == 0) o[t] = int(best_i[0] == 0xffffffffu ? 0u : best_i[0]);
}
