// Bindings and push constants of the element-wise ops: out[i] = f(a[i], b[i]) for i < n.
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 256) in;
#include "common.glsl"

layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Push {
  uint n;      // elements to write
  uint width;  // row width (add_bias: b has `width` elements)
  float scalar;  // scale, softcap
} pc;
