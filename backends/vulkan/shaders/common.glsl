// Shared by every hfd compute shader: extensions and workgroup index helpers.
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_int16 : require
#extension GL_KHR_shader_subgroup_arithmetic : require

// Shaders declare their local size before including this file (gl_WorkGroupSize is
// only known after that declaration).

// A flat invocation index for 1-D work dispatched as a 2-D grid of workgroups (the
// host splits counts above 65535 groups into rows of groups).
uint flat_index() {
  return (gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * gl_WorkGroupSize.x +
         gl_LocalInvocationID.x;
}

uint flat_group() { return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x; }

// tanh that stays finite: some drivers compute tanh from exp and return NaN (inf / inf)
// for large arguments; tanh(+-15) is +-1 in float32.
float safe_tanh(float x) { return tanh(clamp(x, -15.0, 15.0)); }

// GELU in its tanh approximation (Gemma's GeGLU):
// gelu(x) = x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))).
float gelu_tanh(float x) { return 0.5 * x * (1.0 + safe_tanh(0.7978845608 * (x + 0.044715 * x * x * x))); }

// gpt-oss's clamped SwiGLU: g = min(gate, limit), u = clamp(up, -limit, limit),
// (u + 1) * g * sigmoid(alpha * g). One function for the elementwise op and the fused
// expert kernel, so both round alike.
float clamped_swiglu(float gate, float up, float alpha, float limit) {
  float g = min(gate, limit);
  float u = clamp(up, -limit, limit);
  return (u + 1.0) * g / (1.0 + exp(-alpha * g));
}

// erfc(z) for z >= 0, within a relative 1.2e-7 (the Chebyshev fit of Numerical Recipes'
// erfcc): GLSL has no erf.
float erfc_nonneg(float z) {
  float t = 1.0 / (1.0 + 0.5 * z);
  float poly = -1.26551223 +
      t * (1.00002368 +
      t * (0.37409196 +
      t * (0.09678418 +
      t * (-0.18628806 +
      t * (0.27886807 +
      t * (-1.13520398 +
      t * (1.48851587 +
      t * (-0.82215223 +
      t * 0.17087277))))))));
  return t * exp(-z * z + poly);
}

// GELU in its exact form (BERT): x/2 * (1 + erf(x / sqrt(2))) = x * Phi(x), with Phi's
// tail from erfc so negative inputs keep their relative precision.
float gelu_erf(float x) {
  float tail = 0.5 * erfc_nonneg(abs(x) * 0.70710678118654752);
  return x * (x >= 0.0 ? 1.0 - tail : tail);
}
