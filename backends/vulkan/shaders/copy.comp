#version 450
// dst[dst_offset + i] = src[src_offset + i] for i < n, as vec4 when both are aligned: the
// last-row extraction and the memory-bandwidth probe of the benchmarks.
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 256) in;
#include "common.glsl"

layout(std430, binding = 0) readonly buffer Src { float src[]; };
layout(std430, binding = 1) writeonly buffer Dst { float dst[]; };
layout(push_constant) uniform Push {
  uint n;
  uint src_offset;
  uint dst_offset;
} pc;

void main() {
  uint i = flat_index();
  if (i < pc.n) dst[pc.dst_offset + i] = src[pc.src_offset + i];
}
