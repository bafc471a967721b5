#version 450
// kMoeRoute (graph.h): per token (workgroup x), the ids of the top_k largest router
// logits, largest first and the lower id first among equals, as floats; then their
// softmax weights over all n_expert logits, divided by the picked weights' sum when
// NORM_TOPK. The same rule as the CPU's (backends/cpu/ops/moe.cc): NaN ranks below every
// number, so it only fills slots no number is left for.
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 64) in;
layout(constant_id = 0) const uint NORM_TOPK = 0;
#include "common.glsl"

layout(std430, binding = 0) readonly buffer Logits { float logits[]; };
layout(std430, binding = 1) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Push {
  uint n_expert;
  uint top_k;  // <= 64 (Kernels::MoeRoute)
} pc;

shared float red_v[64];
shared uint red_i[64];
shared uint picked[64];

// Whether logit a (id ia) ranks above b (id ib); ib == n_expert: nothing yet.
bool ranks_above(float a, uint ia, float b, uint ib) {
  if (ib >= pc.n_expert) return ia < pc.n_expert;
  if (ia >= pc.n_expert) return false;
  bool na = isnan(a), nb = isnan(b);
  if (na != nb) return nb;
  if (!na && a != b) return a > b;
  return ia < ib;
}

bool taken(uint e, uint slots) {
  for (uint s = 0; s < slots; ++s) {
    if (picked[s] == e) return true;
  }
  return false;
}

// The largest, or the sum, of `v` over the workgroup, in every invocation.
float reduce_max(float v) {
  uint lid = gl_LocalInvocationID.x;
  red_v[lid] = v;
  barrier();
  for (uint s = 32; s > 0; s /= 2) {
    if (lid < s) red_v[lid] = max(red_v[lid], red_v[lid + s]);
    barrier();
  }
  float r = red_v[0];
  barrier();
  return r;
}

float reduce_sum(float v) {
  uint lid = gl_LocalInvocationID.x;
  red_v[lid] = v;
  barrier();
  for (uint s = 32; s > 0; s /= 2) {
    if (lid < s) red_v[lid] += red_v[lid + s];
    barrier();
  }
  float r = red_v[0];
  barrier();
  return r;
}

void main() {
  uint lid = gl_LocalInvocationID.x;
  uint n = pc.n_expert, k = pc.top_k;
  uint base = flat_group() * n;
  uint out_base = flat_group() * 2 * k;
  // Like the CPU's fmax, the maximum skips NaN (-inf stands for "none yet").
  float m = uintBitsToFloat(0xff800000u);
  for (uint e = lid; e < n; e += 64) {
    float l = logits[base + e];
    if (!isnan(l)) m = max(m, l);
  }
  m = reduce_max(m);
  float sum = 0.0;
  for (uint e = lid; e < n; e += 64) sum += exp(logits[base + e] - m);
  sum = reduce_sum(sum);
  float picked_sum = 0.0;  // valid in invocation 0
  for (uint s = 0; s < k; ++s) {
    float bv = 0.0;
    uint bi = n;
    for (uint e = lid; e < n; e += 64) {
      float l = logits[base + e];
      if (!taken(e, s) && ranks_above(l, e, bv, bi)) {
        bv = l;
        bi = e;
      }
    }
    red_v[lid] = bv;
    red_i[lid] = bi;
    barrier();
    for (uint h = 32; h > 0; h /= 2) {
      if (lid < h && ranks_above(red_v[lid + h], red_i[lid + h], red_v[lid], red_i[lid])) {
        red_v[lid] = red_v[lid + h];
        red_i[lid] = red_i[lid + h];
      }
      barrier();
    }
    if (lid == 0) {
      float p = exp(red_v[0] - m) / sum;
      picked[s] = red_i[0];
      o[out_base + s] = float(red_i[0]);
      o[out_base + k + s] = p;
      picked_sum += p;
    }
    barrier();
  }
  if (lid == 0 && NORM_TOPK != 0 && picked_sum > 0.0) {
    for (uint s = 0; s < k; ++s) {
      float p = exp(logits[base + picked[s]] - m) / sum;
      o[out_base + k + s] = p / picked_sum;
    }
  }
}
