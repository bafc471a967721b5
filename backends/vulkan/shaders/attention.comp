#version 450
// Grouped-query attention over the KV cache (F16, or F32 with KV_F32), one pass with an
// online softmax; causal over the whole cache, or within each text of the call as MASK
// says (kTextCausalAttention, kTextAttention). One workgroup per (query head, token). Keys
// are processed in chunks of the workgroup size: each invocation scores one key, the
// chunk's maximum rescales the running sum and the output accumulator (kept in shared
// memory, head_dim <= 256).
// SPLIT (flash-decoding): workgroup z takes the z-th of gl_NumWorkGroups.z equal parts of
// the keys and writes its unnormalised accumulator, maximum and sum to `partial`;
// attention_merge.comp combines the parts. Decode has one workgroup per query head,
// too few to fill a large GPU; splitting the keys multiplies them.
// PAGED (multi-sequence calls, RunParams::seqs): each token sees the positions of its own
// sequence up to its own, read through the sequence's block table (params.glsl); MASK 0.
// SINKS (kSinkAttention, gpt-oss): head h's learned logit sinks[h] joins the softmax's
// denominator as one more term e^sink with no value; the split variant leaves it to
// attention_merge.comp. PAGED and SINKS combine (batched gpt-oss).
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 64) in;
// head_dim, fixed per pipeline so the per-key dot product and the value loop unroll.
layout(constant_id = 0) const uint HEAD_DIM = 64;
// The keys a query sees: 0 every earlier position of the cache (causal); 1 those of its own
// text up to itself; 2 all of its own text.
layout(constant_id = 1) const uint MASK = 0;
#include "common.glsl"
#define PARAMS_BINDING 4
#include "params.glsl"
#include "kv_cache.glsl"

layout(std430, binding = 0) readonly buffer Q { float q[]; };
layout(std430, binding = 1) readonly buffer KC { kv_t kc[]; };
layout(std430, binding = 2) readonly buffer VC { kv_t vc[]; };
#ifdef SPLIT
// Per (token, head, part): HEAD_DIM accumulator values, then the maximum and the sum.
layout(std430, binding = 3) writeonly buffer Partial { float partial[]; };
#else
layout(std430, binding = 3) writeonly buffer Out { float o[]; };
#endif
#ifdef SINKS
layout(std430, binding = 5) readonly buffer Sinks { float sinks[]; };
#endif
layout(push_constant) uniform Push {
  uint n_head;
  uint n_head_kv;
  uint head_dim;  // the shader uses HEAD_DIM
  uint window;  // 0: no sliding window
  float scale;
  float softcap;  // 0: scores are not capped
} pc;

shared float qs[HEAD_DIM];
shared float acc[HEAD_DIM];
shared float p[64];
shared float stat[2];  // running max, running sum
#ifdef PAGED
shared uint rows[64];  // the cache rows of the chunk's keys
#endif

void main() {
  uint h = gl_WorkGroupID.x;
  uint t = gl_WorkGroupID.y;
  uint lid = gl_LocalInvocationID.x;
  uint n = gl_WorkGroupSize.x;
  const uint hd = HEAD_DIM;
  uint kvh = h / (pc.n_head / pc.n_head_kv);
  uint kv_width = pc.n_head_kv * hd;
#ifdef PAGED
  uint qpos = token_pos(t);
#else
  uint qpos = p_pos + t;
#endif
  uint lo = (pc.window > 0u && qpos + 1 > pc.window) ? qpos + 1 - pc.window : 0u;
  uint hi = qpos;  // last key, inclusive
  if (MASK != 0u) lo = max(lo, p_pos + text_begin(t));
  if (MASK == 2u) hi = p_pos + text_end(t) - 1u;
#ifdef SPLIT
  uint parts = gl_NumWorkGroups.z;
  uint per_part = (hi + 1 - lo + parts - 1) / parts;
  uint part_lo = lo + gl_WorkGroupID.z * per_part;
  hi = min(hi, part_lo + per_part - 1);  // below part_lo when the part is empty
  lo = part_lo;
#endif
  uint q_base = t * pc.n_head * hd + h * hd;

  for (uint d = lid; d < hd; d += n) {
    qs[d] = q[q_base + d] * pc.scale;
    acc[d] = 0.0;
  }
  if (lid == 0) {
    stat[0] = -1.0 / 0.0;
    stat[1] = 0.0;
  }
  barrier();

  for (uint j0 = lo; j0 <= hi; j0 += n) {
    uint j = j0 + lid;
    float s = -1.0 / 0.0;
    if (j <= hi) {
#ifdef PAGED
      rows[lid] = kv_row(t, j);
      uint kb = rows[lid] * kv_width + kvh * hd;
#else
      uint kb = j * kv_width + kvh * hd;
#endif
      s = 0.0;
      for (uint d = 0; d < hd; ++d) s += qs[d] * from_kv(kc[kb + d]);
      if (pc.softcap > 0.0) s = pc.softcap * safe_tanh(s / pc.softcap);
    }
    float chunk_max = subgroupMax(s);
    p[lid] = chunk_max;  // reuse p to combine subgroup maxima
    barrier();
    float m_old = stat[0];
    float m_new = m_old;
    for (uint i = 0; i < n; ++i) m_new = max(m_new, p[i]);
    barrier();
    p[lid] = j <= hi ? exp(s - m_new) : 0.0;
    barrier();
    float correction = exp(m_old - m_new);
    uint count = min(n, hi + 1 - j0);
    for (uint d = lid; d < hd; d += n) {
      float a = acc[d] * correction;
      for (uint i = 0; i < count; ++i) {
#ifdef PAGED
        a += p[i] * from_kv(vc[rows[i] * kv_width + kvh * hd + d]);
#else
        a += p[i] * from_kv(vc[(j0 + i) * kv_width + kvh * hd + d]);
#endif
      }
      acc[d] = a;
    }
    if (lid == 0) {
      float sum = 0.0;
      for (uint i = 0; i < count; ++i) sum += p[i];
      stat[1] = stat[1] * correction + sum;
      stat[0] = m_new;
    }
    barrier();
  }
#ifdef SPLIT
  uint at = ((t * pc.n_head + h) * parts + gl_WorkGroupID.z) * (HEAD_DIM + 2);
  for (uint d = lid; d < hd; d += n) partial[at + d] = acc[d];
  if (lid == 0) {
    partial[at + HEAD_DIM] = stat[0];  // -inf for an empty part
    partial[at + HEAD_DIM + 1] = stat[1];
  }
#else
#ifdef SINKS
  // Keys and sink scaled to the larger of their maxima: acc c / (sum c + e^(sink - m)).
  float m = max(stat[0], sinks[h]);
  float c = exp(stat[0] - m);
  float inv = c / (stat[1] * c + exp(sinks[h] - m));
#else
  float inv = 1.0 / stat[1];
#endif
  for (uint d = lid; d < hd; d += n) o[q_base + d] = acc[d] * inv;
#endif
}
