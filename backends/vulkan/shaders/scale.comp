#version 450
// o = a * scalar (Gemma's embeddings times sqrt(n_embd)).
#extension GL_GOOGLE_include_directive : require
#include "elementwise.glsl"

void main() {
  uint i = flat_index();
  if (i < pc.n) o[i] = a[i] * pc.scalar;
}
