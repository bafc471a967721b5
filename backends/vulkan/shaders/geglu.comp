#version 450
// o = gelu(a) * b, GELU in its tanh approximation.
#extension GL_GOOGLE_include_directive : require
#include "elementwise.glsl"

void main() {
  uint i = flat_index();
  if (i < pc.n) {
    o[i] = gelu_tanh(a[i]) * b[i];
  }
}
