#version 450
// kMoeWeightedSum: o[t][i] = sum over slots s of weight s of t (kMoeRoute's table) *
// x[t][s * width + i], the slots summed in order as on the CPU.
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 256) in;
#include "common.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Routes { float routes[]; };
layout(std430, binding = 2) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Push {
  uint n;      // elements to write: tokens * width
  uint width;
  uint top_k;
} pc;

void main() {
  uint i = flat_index();
  if (i >= pc.n) return;
  uint t = i / pc.width, c = i % pc.width;
  float acc = 0.0;
  for (uint s = 0; s < pc.top_k; ++s) {
    acc += routes[t * 2 * pc.top_k + pc.top_k + s] * x[(t * pc.top_k + s) * pc.width + c];
  }
  o[i] = acc;
}
