#version 450
// o = gelu(a) * b, GELU in its tanh approximation:
// gelu(x) = x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))).
#extension GL_GOOGLE_include_directive : require
#include "elementwise.glsl"

void main() {
  uint i = flat_index();
  if (i < pc.n) {
    float g = a[i];
    o[i] = 0.5 * g * (1.0 + safe_tanh(0.7978845608 * (g + 0.044715 * g * g * g))) * b[i];
  }
}
