#version 450
// Rotary embedding: pair i of the first n_rot elements of every head of token t rotated by
// (pos + t) * freqs[i] (rescaled under dynamic NTK, rope.glsl), cos and sin times
// attn_factor; the other elements are copied (partial rotary). Pairs are (2i, 2i+1) when
// interleaved, else (i, i + n_rot/2). With PER_TEXT, token t is at its position within its
// own text instead (kTextRope); with PAGED at its own sequence's position (RunParams::seqs).
// One invocation per pair of elements; pos and the texts come from the per-call parameters.
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 64) in;
layout(constant_id = 0) const uint PER_TEXT = 0;
#include "common.glsl"
#define PARAMS_BINDING 3
#include "params.glsl"
#include "rope.glsl"

layout(std430, binding = 0) readonly buffer F { float freqs[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Push {
  uint n_head;
  uint head_dim;
  uint interleaved;
  uint ntok;
  uint n_rot;
  float attn_factor;
  float ntk_factor;
  uint ntk_original_ctx;
} pc;

void main() {
  uint half_dim = pc.head_dim / 2;
  uint idx = flat_index();
  uint per_token = pc.n_head * half_dim;
  if (idx >= per_token * pc.ntok) return;
  uint t = idx / per_token;
  uint h = (idx % per_token) / half_dim;
  uint i = idx % half_dim;
  uint base = t * pc.n_head * pc.head_dim + h * pc.head_dim;
  uint rot_half = pc.n_rot / 2;
  if (i >= rot_half) {
    uint e = base + pc.n_rot + 2 * (i - rot_half);
    o[e] = x[e];
    o[e + 1] = x[e + 1];
    return;
  }
  uint a = pc.interleaved != 0u ? base + 2 * i : base + i;
  uint b = pc.interleaved != 0u ? a + 1 : a + rot_half;
#ifdef PAGED
  float freq =
      rope_freq(freqs[i], i, pc.n_rot, token_end(t), pc.ntk_factor, pc.ntk_original_ctx);
  uint position = token_pos(t);
#else
  float freq =
      rope_freq(freqs[i], i, pc.n_rot, p_pos + pc.ntok, pc.ntk_factor, pc.ntk_original_ctx);
  uint position = PER_TEXT != 0u ? t - text_begin(t) : p_pos + t;
#endif
  float angle = float(position) * freq;
  float c = cos(angle) * pc.attn_factor;
  float s = sin(angle) * pc.attn_factor;
  float x0 = x[a];
  float x1 = x[b];
  o[a] = x0 * c - x1 * s;
  o[b] = x0 * s + x1 * c;
}
