#version 450
// kClampedSwiGLU: o = clamped_swiglu(a, b) (common.glsl) with the model's alpha and limit.
#extension GL_GOOGLE_include_directive : require
layout(constant_id = 0) const float ALPHA = 1.0;
layout(constant_id = 1) const float LIMIT = 0.0;
#include "elementwise.glsl"

void main() {
  uint i = flat_index();
  if (i < pc.n) o[i] = clamped_swiglu(a[i], b[i], ALPHA, LIMIT);
}
