#version 450
// o = silu(a) * b, silu(x) = x / (1 + e^-x).
#extension GL_GOOGLE_include_directive : require
#include "elementwise.glsl"

void main() {
  uint i = flat_index();
  if (i < pc.n) {
    float g = a[i];
    o[i] = g / (1.0 + exp(-g)) * b[i];
  }
}
