#version 450
// Combines the parts of a split attention (attention.comp with SPLIT): with M the largest
// part maximum, out = sum_p acc_p e^(m_p - M) / sum_p l_p e^(m_p - M). Empty parts have
// m = -inf and weigh nothing. One workgroup per (query head, token). SINKS
// (kSinkAttention): the head's sink logit is one more term of the denominator, e^(sink - M),
// M the larger of it and the parts' maxima.
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 64) in;
layout(constant_id = 0) const uint HEAD_DIM = 64;
#include "common.glsl"

layout(std430, binding = 0) readonly buffer Partial { float partial[]; };
layout(std430, binding = 1) writeonly buffer Out { float o[]; };
#ifdef SINKS
layout(std430, binding = 2) readonly buffer Sinks { float sinks[]; };
#endif
layout(push_constant) uniform Push {
  uint n_head;
  uint parts;
} pc;

void main() {
  uint h = gl_WorkGroupID.x;
  uint t = gl_WorkGroupID.y;
  uint first = (t * pc.n_head + h) * pc.parts;
#ifdef SINKS
  float m = sinks[h];
#else
  float m = -1.0 / 0.0;
#endif
  for (uint p = 0; p < pc.parts; ++p) m = max(m, partial[(first + p) * (HEAD_DIM + 2) + HEAD_DIM]);
#ifdef SINKS
  float sum = exp(sinks[h] - m);
#else
  float sum = 0.0;
#endif
  for (uint p = 0; p < pc.parts; ++p) {
    uint at = (first + p) * (HEAD_DIM + 2);
    sum += partial[at + HEAD_DIM + 1] * exp(partial[at + HEAD_DIM] - m);
  }
  float inv = 1.0 / sum;
  uint out_base = (t * pc.n_head + h) * HEAD_DIM;
  for (uint d = gl_LocalInvocationID.x; d < HEAD_DIM; d += gl_WorkGroupSize.x) {
    float a = 0.0;
    for (uint p = 0; p < pc.parts; ++p) {
      uint at = (first + p) * (HEAD_DIM + 2);
      a += partial[at + d] * exp(partial[at + HEAD_DIM] - m);
    }
    o[out_base + d] = a * inv;
  }
}
