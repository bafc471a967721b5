#version 450
// The start of attention in one dispatch: rotates q (to q_out) and k, and writes the
// rotated k and v rows into one layer of the cache (F16, or F32 with KV_F32) at
// positions pos + t (with PAGED: each token at its own sequence's position, stored through
// the sequence's block table). The same rotation as rope.comp (partial rotary and scaling
// included) and the same stores as kv_store.comp.
// One invocation per pair of elements: per token, the q heads' pairs, then the k heads',
// then the v heads' (copied).
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 64) in;
#include "common.glsl"
#define PARAMS_BINDING 7
#include "params.glsl"
#include "kv_cache.glsl"
#include "rope.glsl"

layout(std430, binding = 0) readonly buffer F { float freqs[]; };
layout(std430, binding = 1) readonly buffer Q { float q[]; };
layout(std430, binding = 2) readonly buffer K { float k[]; };
layout(std430, binding = 3) readonly buffer V { float v[]; };
layout(std430, binding = 4) writeonly buffer QOut { float q_out[]; };
layout(std430, binding = 5) writeonly buffer KC { kv_t kc[]; };
layout(std430, binding = 6) writeonly buffer VC { kv_t vc[]; };
layout(push_constant) uniform Push {
  uint n_head;
  uint n_head_kv;
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
  uint heads = pc.n_head + 2 * pc.n_head_kv;
  uint idx = flat_index();
  if (idx >= heads * half_dim * pc.ntok) return;
  uint t = idx / (heads * half_dim);
  uint h = (idx / half_dim) % heads;
  uint i = idx % half_dim;
  uint kv_width = pc.n_head_kv * pc.head_dim;
#ifdef PAGED
  uint position = token_pos(t);
  uint end_pos = token_end(t);
  // Row t's k and v land at its cache row, relative to where row t sits in k and v.
  uint shift = kv_row(t, position) * kv_width - t * kv_width;
#else
  uint position = p_pos + t;
  uint end_pos = p_pos + pc.ntok;
  uint shift = p_pos * kv_width;  // row t lands at position pos + t
#endif
  if (h >= pc.n_head + pc.n_head_kv) {
    uint src = t * kv_width + (h - pc.n_head - pc.n_head_kv) * pc.head_dim;
    uint dst = shift + src;
    vc[dst + 2 * i] = to_kv(v[src + 2 * i]);
    vc[dst + 2 * i + 1] = to_kv(v[src + 2 * i + 1]);
    return;
  }
  // Pairs past the rotated part are copied: a rotation by angle 0 at scale 1.
  uint rot_half = pc.n_rot / 2;
  bool pass = i >= rot_half;
  uint pa = pass ? pc.n_rot + 2 * (i - rot_half) : (pc.interleaved != 0u ? 2 * i : i);
  uint pb = pass || pc.interleaved != 0u ? pa + 1 : pa + rot_half;
  uint fi = min(i, rot_half - 1);
  float freq = rope_freq(freqs[fi], fi, pc.n_rot, end_pos, pc.ntk_factor, pc.ntk_original_ctx);
  float angle = float(position) * freq;
  float c = pass ? 1.0 : cos(angle) * pc.attn_factor;
  float s = pass ? 0.0 : sin(angle) * pc.attn_factor;
  if (h < pc.n_head) {
    uint base = t * pc.n_head * pc.head_dim + h * pc.head_dim;
    float x0 = q[base + pa];
    float x1 = q[base + pb];
    q_out[base + pa] = pass ? x0 : x0 * c - x1 * s;
    q_out[base + pb] = pass ? x1 : x0 * s + x1 * c;
  } else {
    uint src = t * kv_width + (h - pc.n_head) * pc.head_dim;
    uint dst = shift + src;
    float x0 = k[src + pa];
    float x1 = k[src + pb];
    kc[dst + pa] = to_kv(pass ? x0 : x0 * c - x1 * s);
    kc[dst + pb] = to_kv(pass ? x1 : x0 * s + x1 * c);
  }
}
