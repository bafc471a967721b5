#version 450
// o = x / sqrt(mean(x^2) + eps) * w over each group of `group` elements of a row (the
// whole row for RMSNorm, one head for q/k norm); with CENTER, LayerNorm: the group's mean
// is subtracted first, o = (x - mean) / sqrt(var + eps) * w (its bias is a separate
// add_bias). One workgroup per (group, token).
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 128) in;
layout(constant_id = 0) const uint CENTER = 0;
#include "common.glsl"
#include "reduce.glsl"

layout(std430, binding = 0) readonly buffer W { float w[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Push {
  uint width;
  uint group;
  float eps;
} pc;

void main() {
  uint base = gl_WorkGroupID.y * pc.width + gl_WorkGroupID.x * pc.group;
  float mean = 0.0;
  if (CENTER != 0u) {
    float s = 0.0;
    for (uint i = gl_LocalInvocationID.x; i < pc.group; i += gl_WorkGroupSize.x) s += x[base + i];
    mean = workgroup_sum(s) / float(pc.group);
  }
  float ss = 0.0;
  for (uint i = gl_LocalInvocationID.x; i < pc.group; i += gl_WorkGroupSize.x) {
    float v = x[base + i] - mean;
    ss += v * v;
  }
  float scale = inversesqrt(workgroup_sum(ss) / float(pc.group) + pc.eps);
  for (uint i = gl_LocalInvocationID.x; i < pc.group; i += gl_WorkGroupSize.x) {
    o[base + i] = (x[base + i] - mean) * scale * w[i];
  }
}
