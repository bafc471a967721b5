#version 450
// o[t][i] = a[t][i] + bias[i] (q/k/v biases); the bias is binding B, `width` elements.
#extension GL_GOOGLE_include_directive : require
#include "elementwise.glsl"

void main() {
  uint i = flat_index();
  if (i < pc.n) o[i] = a[i] + b[i % pc.width];
}
