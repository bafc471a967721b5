#version 450
// out[t] = the K largest elements of row t with their indices, and the row's logsumexp
// (graph.h, kTopLogits; top_logits.h has the CPU definition): greedy decode with
// log-probabilities copies back 2K+1 floats instead of the vocabulary. One workgroup per
// row: each invocation keeps the K best of its strided slice, sorted, and a running sum of
// exp; then K rounds of a workgroup argmax over the heads of those lists take the winners
// in order, and the first winner (the row's max) scales the sums.
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 256) in;
#include "common.glsl"
#include "reduce.glsl"

layout(constant_id = 0) const uint K = 20;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Push { uint width; } pc;

const float NEG_INF = -1.0 / 0.0;
const uint NO_INDEX = 0xffffffffu;

shared float part_v[64];
shared uint part_i[64];

// The best (v, i) of the workgroup: the largest v, the lowest i among equals. Every
// invocation must call it; all get the winner.
void workgroup_best(float v, uint i, out float best_v, out uint best_i) {
  const float sv = subgroupMax(v);
  const uint si = subgroupMin(v == sv ? i : NO_INDEX);
  if (subgroupElect()) {
    part_v[gl_SubgroupID] = sv;
    part_i[gl_SubgroupID] = si;
  }
  barrier();
  best_v = part_v[0];
  best_i = part_i[0];
  for (uint s = 1; s < gl_NumSubgroups; ++s) {
    if (part_v[s] > best_v || (part_v[s] == best_v && part_i[s] < best_i)) {
      best_v = part_v[s];
      best_i = part_i[s];
    }
  }
  barrier();
}

void main() {
  const uint t = gl_WorkGroupID.x;
  const uint lid = gl_LocalInvocationID.x;
  float top_v[K];
  uint top_i[K];
  uint n = 0;
  float m = NEG_INF;  // the slice's max so far
  float s = 0.0;      // sum of exp(v - m) over the slice so far
  for (uint i = lid; i < pc.width; i += gl_WorkGroupSize.x) {
    const float v = x[t * pc.width + i];
    if (isnan(v)) continue;
    if (v > m) {
      s = s * exp(m - v) + 1.0;
      m = v;
    } else if (v > NEG_INF) {
      s += exp(v - m);
    }
    // Indices ascend, so inserting after equal values keeps them in index order.
    if (n < K || v > top_v[K - 1]) {
      uint j = min(n, K - 1);
      while (j > 0 && top_v[j - 1] < v) {
        top_v[j] = top_v[j - 1];
        top_i[j] = top_i[j - 1];
        --j;
      }
      top_v[j] = v;
      top_i[j] = i;
      n = min(n + 1, K);
    }
  }

  const uint base = t * (2 * K + 1);
  uint head = 0;
  float row_max = NEG_INF;
  for (uint r = 0; r < K; ++r) {
    float bv;
    uint bi;
    workgroup_best(head < n ? top_v[head] : NEG_INF, head < n ? top_i[head] : NO_INDEX, bv, bi);
    if (r == 0) row_max = bv;
    if (lid == 0) {
      o[base + r] = bi == NO_INDEX ? -1.0 : float(bi);
      o[base + K + r] = bv;
    }
    if (head < n && top_i[head] == bi) ++head;
  }
  // An infinite max (or an all-NaN row) makes the sum meaningless: the max is the answer.
  const float sum = workgroup_sum(isinf(row_max) ? 0.0 : s * exp(m - row_max));
  if (lid == 0) o[base + 2 * K] = isinf(row_max) ? row_max : row_max + log(sum);
}
