#version 450
// kSigmoidGate: o[t][i] = a[t][i] * sigmoid(b[t]) (Qwen2-MoE's shared-expert gate: b has
// one value per token).
#extension GL_GOOGLE_include_directive : require
#include "elementwise.glsl"

void main() {
  uint i = flat_index();
  if (i < pc.n) o[i] = a[i] / (1.0 + exp(-b[i / pc.width]));
}
