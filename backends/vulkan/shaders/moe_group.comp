#version 450
// Groups the (token, slot) pairs of a kMoeRoute table by expert for the tiled
// indexed-expert matmul (mul_mat.comp with MOE), on the device so the recorded prefill
// needs no host round trip. One workgroup writes, as uints: counts[n_expert] (pairs per
// expert), starts[n_expert] (where each expert's pairs begin in the list),
// cursors[n_expert] (scratch), then the list of pair ids by expert. The order within an
// expert follows the atomics, which changes nothing: every pair's output is computed on
// its own, in the same order of operations wherever it sits in a tile.
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Routes { float routes[]; };
layout(std430, binding = 1) buffer Group { uint group[]; };
layout(push_constant) uniform Push {
  uint ntok;
  uint top_k;
  uint n_expert;
} pc;

// The expert of pair p, or n_expert (no expert: never counted) for an id out of range.
uint expert_of(uint p) {
  uint e = uint(routes[(p / pc.top_k) * 2 * pc.top_k + p % pc.top_k]);
  return min(e, pc.n_expert);
}

void sync() {
  memoryBarrierBuffer();
  barrier();
}

void main() {
  uint lid = gl_LocalInvocationID.x;
  uint n = pc.n_expert;
  uint npairs = pc.ntok * pc.top_k;
  for (uint e = lid; e < n; e += 256) group[e] = 0;
  sync();
  for (uint p = lid; p < npairs; p += 256) {
    uint e = expert_of(p);
    if (e < n) atomicAdd(group[e], 1u);
  }
  sync();
  if (lid == 0) {
    uint start = 0;
    for (uint e = 0; e < n; ++e) {
      group[n + e] = start;
      group[2 * n + e] = start;
      start += group[e];
    }
  }
  sync();
  for (uint p = lid; p < npairs; p += 256) {
    uint e = expert_of(p);
    if (e < n) group[3 * n + atomicAdd(group[2 * n + e], 1u)] = p;
  }
}
