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
