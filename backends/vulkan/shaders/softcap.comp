#version 450
// o = scalar * tanh(a / scalar) (Gemma 2's final logit soft-capping).
#extension GL_GOOGLE_include_directive : require
#include "elementwise.glsl"

void main() {
  uint i = flat_index();
  if (i < pc.n) o[i] = pc.scalar * safe_tanh(a[i] / pc.scalar);
}
