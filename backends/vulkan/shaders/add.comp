#version 450
// o = a + b (residual connections).
#extension GL_GOOGLE_include_directive : require
#include "elementwise.glsl"

void main() {
  uint i = flat_index();
  if (i < pc.n) o[i] = a[i] + b[i];
}
