#version 450
// o = gelu(a), GELU in its exact (erf) form (BERT's feed-forward).
#extension GL_GOOGLE_include_directive : require
#include "elementwise.glsl"

void main() {
  uint i = flat_index();
  if (i < pc.n) o[i] = gelu_erf(a[i]);
}
