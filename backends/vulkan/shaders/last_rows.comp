#version 450
// out[s] = x[last token of sequence s] for each sequence of a multi-sequence call
// (RunParams::seqs; the last-token rows before the output head). Rows of `width` floats;
// one invocation per output element.
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 256) in;
#include "common.glsl"
#define PARAMS_BINDING 2
#define PAGED 1
#include "params.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Push {
  uint width;
  uint rows;
} pc;

void main() {
  uint i = flat_index();
  if (i >= pc.width * pc.rows) return;
  uint s = i / pc.width;
  o[i] = x[seq_last(s) * pc.width + i % pc.width];
}
