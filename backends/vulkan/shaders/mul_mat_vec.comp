#version 450
// y[t][out_row0 + r] = W[r] . x[t] for every row r of one weight chunk and every token t
// (workgroup z), weights dequantized in registers. A workgroup of 64 invocations handles
// 64 / THREADS_PER_ROW rows; each row's 32-element units are spread over its invocations
// and summed with subgroup operations (or a shared-memory tree when a row has fewer
// invocations than a subgroup: short rows, e.g. the output head of a small model).
// The decode path. Variants that save a dispatch and a round trip through memory:
//   BIAS: adds bias[out_row0 + r] (binding 3);
//   GLU:  y = act(A[r] . x) * (B[r] . x) for a gated MLP's gate (A) and up (B) matrices,
//         act silu (SwiGLU) or tanh-approximated GELU (GeGLU) by GLU_ACT, or gpt-oss's
//         clamped SwiGLU of both products.
//   MOE:  the indexed-expert product: workgroup z is a (token, slot) pair, whose expert
//         (kMoeRoute's table at binding 3, 4 with GLU) gives the rows read; pairs whose
//         expert lies in another chunk return at once, so only the picked experts' rows
//         are read. With GLU, the experts' gate and up matrices in one pass.
//   EXPERT_BIAS (with MOE and GLU): each product gets its expert's bias (gpt-oss) before the
//         activation: rows of nrows floats per expert at bindings 5 (gate) and 6 (up).
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 64) in;
layout(constant_id = 0) const uint THREADS_PER_ROW = 32;  // power of two, <= 64
// The row length, fixed per pipeline so the unit loop's trip count is known when compiled.
layout(constant_id = 1) const uint NCOLS = 32;
layout(constant_id = 2) const uint GLU_ACT = 0;  // GLU: 0 SwiGLU, 1 GeGLU, 2 clamped SwiGLU
layout(constant_id = 3) const float GLU_ALPHA = 1.0;  // the clamped SwiGLU's alpha and limit
layout(constant_id = 4) const float GLU_LIMIT = 0.0;
#include "common.glsl"
#ifdef GLU
#include "weight_pair.glsl"
#else
#include "weights.glsl"
#endif
#ifdef BIAS
layout(std430, binding = 3) readonly buffer Bias { float bias[]; };
#endif
#ifdef EXPERT_BIAS
layout(std430, binding = 5) readonly buffer GateBias { float gate_bias[]; };
layout(std430, binding = 6) readonly buffer UpBias { float up_bias[]; };
#endif

layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
#ifdef MOE
#include "moe_push.glsl"
#ifdef GLU
layout(std430, binding = 4) readonly buffer Routes { float routes[]; };
#else
layout(std430, binding = 3) readonly buffer Routes { float routes[]; };
#endif
#else
layout(push_constant) uniform Push {
  uint ncols;      // row length (elements); the shader uses NCOLS
  uint row_stride;  // in dequant_unit's address unit (weight_codec.glsl)
  uint nrows;      // rows in this chunk
  uint out_row0;   // where this chunk's rows go in y
  uint x_stride;   // elements between tokens in x
  uint y_stride;   // elements between tokens in y
} pc;
#endif

shared float partial[64];

// The sum of `acc` over the invocations of each row, valid in the row's lane 0. Every
// invocation must call it.
float row_sum(float acc) {
  uint lid = gl_LocalInvocationID.x;
  uint lane = lid % THREADS_PER_ROW;
  float total = 0.0;
  if (THREADS_PER_ROW >= gl_SubgroupSize) {
    // Subgroups are contiguous ranges of invocations, so each lies within one row.
    float s = subgroupAdd(acc);
    if (subgroupElect()) partial[gl_SubgroupID] = s;
    barrier();
    uint per_row = THREADS_PER_ROW / gl_SubgroupSize;
    uint first = (lid / THREADS_PER_ROW) * per_row;
    for (uint i = 0; i < per_row; ++i) total += partial[first + i];
  } else {
    partial[lid] = acc;
    barrier();
    for (uint s = THREADS_PER_ROW / 2; s > 0; s /= 2) {
      if (lane < s) partial[lid] += partial[lid + s];
      barrier();
    }
    total = partial[lid];
  }
  barrier();  // `partial` is reused by the next call
  return total;
}

void main() {
  uint lid = gl_LocalInvocationID.x;
  uint lane = lid % THREADS_PER_ROW;
  uint r = flat_group() * (64 / THREADS_PER_ROW) + lid / THREADS_PER_ROW;
  uint t = gl_WorkGroupID.z;
#ifdef MOE
  // The pair's expert, uniform over the workgroup: returning skips row_sum's barriers
  // for every invocation alike.
  uint e = uint(routes[(t / pc.top_k) * 2 * pc.top_k + t % pc.top_k]) - pc.first_expert;
  if (e >= pc.experts) return;
  uint row = (e * pc.nrows + r) * pc.row_stride;
  uint xb = moe_x_row(t);
#else
  uint row = r * pc.row_stride;
  uint xb = t * pc.x_stride;
#endif
  float acc = 0.0;
  float acc_b = 0.0;
  if (r < pc.nrows) {
    const uint nunits = (NCOLS + 31) / 32;
    for (uint u = lane; u < nunits; u += THREADS_PER_ROW) {
      uint k0 = u * 32;
      uint n = min(32u, NCOLS - k0);
#ifdef GLU
      float va[32];
      float vb[32];
      dequant_unit_a(row, u, NCOLS, va);
      dequant_unit_b(row, u, NCOLS, vb);
      for (uint i = 0; i < n; ++i) {
        float xi = x[xb + k0 + i];
        acc += va[i] * xi;
        acc_b += vb[i] * xi;
      }
#else
      float v[32];
      dequant_unit(row, u, NCOLS, v);
      for (uint i = 0; i < n; ++i) acc += v[i] * x[xb + k0 + i];
#endif
    }
  }
  float total = row_sum(acc);
#ifdef GLU
  float up = row_sum(acc_b);
#ifdef EXPERT_BIAS
  if (r < pc.nrows) {
    uint at = (pc.first_expert + e) * pc.nrows + r;
    total += gate_bias[at];
    up += up_bias[at];
  }
#endif
  if (GLU_ACT == 2u) {
    total = clamped_swiglu(total, up, GLU_ALPHA, GLU_LIMIT);
  } else {
    total = (GLU_ACT == 1u ? gelu_tanh(total) : total / (1.0 + exp(-total))) * up;
  }
#endif
#ifdef BIAS
  if (r < pc.nrows) total += bias[pc.out_row0 + r];
#endif
  if (lane == 0 && r < pc.nrows) y[t * pc.y_stride + pc.out_row0 + r] = total;
}
