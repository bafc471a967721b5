#version 450
// A residual add and the RMSNorm of its result in one pass: sum = a + b, and
// o = sum / sqrt(mean(sum^2) + eps) * w over each whole row. One workgroup per token.
// Computes exactly what add then rms_norm compute.
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 128) in;
#include "common.glsl"
#include "reduce.glsl"

layout(std430, binding = 0) readonly buffer W { float w[]; };
layout(std430, binding = 1) readonly buffer A { float a[]; };
layout(std430, binding = 2) readonly buffer B { float b[]; };
layout(std430, binding = 3) buffer Sum { float sum[]; };
layout(std430, binding = 4) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Push {
  uint width;
  float eps;
} pc;

void main() {
  uint base = gl_WorkGroupID.x * pc.width;
  float ss = 0.0;
  for (uint i = gl_LocalInvocationID.x; i < pc.width; i += gl_WorkGroupSize.x) {
    float v = a[base + i] + b[base + i];
    sum[base + i] = v;
    ss += v * v;
  }
  float scale = inversesqrt(workgroup_sum(ss) / float(pc.width) + pc.eps);
  // Each invocation reads back only the elements it wrote.
  for (uint i = gl_LocalInvocationID.x; i < pc.width; i += gl_WorkGroupSize.x) {
    o[base + i] = sum[base + i] * scale * w[i];
  }
}
