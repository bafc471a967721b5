#version 450
// Writes this call's K and V rows into one layer of the cache (F16, or F32 with KV_F32)
// at positions pos + t, or with PAGED at each token's cache row (its sequence's position
// through its block table).
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 256) in;
#include "common.glsl"
#define PARAMS_BINDING 4
#include "params.glsl"
#include "kv_cache.glsl"

layout(std430, binding = 0) readonly buffer K { float k[]; };
layout(std430, binding = 1) readonly buffer V { float v[]; };
layout(std430, binding = 2) writeonly buffer KC { kv_t kc[]; };
layout(std430, binding = 3) writeonly buffer VC { kv_t vc[]; };
layout(push_constant) uniform Push {
  uint kv_width;  // n_head_kv * head_dim
  uint ntok;
} pc;

void main() {
  uint i = flat_index();
  if (i >= pc.kv_width * pc.ntok) return;
#ifdef PAGED
  uint t = i / pc.kv_width;
  uint at = kv_row(t, token_pos(t)) * pc.kv_width + i % pc.kv_width;
#else
  uint at = p_pos * pc.kv_width + i;  // row t of this call lands at position pos + t
#endif
  kc[at] = to_kv(k[i]);
  vc[at] = to_kv(v[i]);
}
