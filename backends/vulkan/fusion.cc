#include "backends/vulkan/fusion.h"

namespace hfd::vk {
namespace {

using runtime::Graph;
using runtime::kNone;
using runtime::Op;
using runtime::OpKind;
using runtime::ValueId;

// How many ops read each value; graph outputs count as a reader.
std::vector<int> Readers(const Graph& g) {
  std::vector<int> n(g.values.size(), 0);
  for (const Op& op : g.ops) {
    for (ValueId in : op.in) {
      if (in != kNone) ++n[in];
    }
  }
  if (g.output() != kNone) ++n[g.output()];
  return n;
}

// The activations of the gated kernels: the expert kernel also has gpt-oss's clamped one.
bool GatedActivation(OpKind act, OpKind matmul) {
  return act == OpKind::kSwiGLU || act == OpKind::kGeGLU ||
         (matmul == OpKind::kMoeMatMul && act == OpKind::kClampedSwiGLU);
}

// a and b: matmuls of `kind` over the same input (and routes); c: their gated activation,
// the only reader of their outputs.
bool GatedPair(const Op& a, const Op& b, const Op& c, const std::vector<int>& readers,
               OpKind kind) {
  return a.kind == kind && b.kind == kind && a.in[0] == b.in[0] && a.in[1] == b.in[1] &&
         GatedActivation(c.kind, kind) && c.in[0] == a.out && c.in[1] == b.out &&
         readers[a.out] == 1 && readers[b.out] == 1;
}

// b: the per-expert bias of expert matmul a's output (its only reader), on a's routes.
bool ExpertBiasOf(const Op& a, const Op& b, const std::vector<int>& readers) {
  return a.kind == OpKind::kMoeMatMul && b.kind == OpKind::kMoeAddBias && b.in[0] == a.out &&
         b.in[1] == a.in[1] && readers[a.out] == 1;
}

// The fusion that starts at op i, if any, and how many ops it covers.
Step Match(const Graph& g, const std::vector<int>& readers, size_t i, bool matvec) {
  const auto& ops = g.ops;
  const size_t left = ops.size() - i;
  const Op& a = ops[i];
  const auto step = [&](Fusion kind, int count) {
    return Step{kind, static_cast<int32_t>(i), count};
  };
  if (left >= 2) {
    const Op& b = ops[i + 1];
    const bool b_takes_a = b.in[0] == a.out && readers[a.out] == 1;
    if (a.kind == OpKind::kAdd && b.kind == OpKind::kRmsNorm && b.in[0] == a.out &&
        b.norm.group == g.values[a.out].width) {
      return step(Fusion::kAddRmsNorm, 2);  // the sum stays a value of its own
    }
    if (matvec && a.kind == OpKind::kMatMul && b.kind == OpKind::kAddBias && b_takes_a) {
      return step(Fusion::kMatMulBias, 2);
    }
  }
  if (matvec && left >= 5) {
    const Op& gate_bias = ops[i + 1];
    const Op& up = ops[i + 2];
    const Op& up_bias = ops[i + 3];
    const Op& act = ops[i + 4];
    if (ExpertBiasOf(a, gate_bias, readers) && ExpertBiasOf(up, up_bias, readers) &&
        a.in[0] == up.in[0] && a.in[1] == up.in[1] && GatedActivation(act.kind, a.kind) &&
        act.in[0] == gate_bias.out && act.in[1] == up_bias.out && readers[gate_bias.out] == 1 &&
        readers[up_bias.out] == 1) {
      return step(Fusion::kGatedMoeMatMulBias, 5);
    }
  }
  if (left >= 3) {
    const Op& b = ops[i + 1];
    const Op& c = ops[i + 2];
    if (matvec && GatedPair(a, b, c, readers, OpKind::kMatMul)) {
      return step(Fusion::kGatedMatMul, 3);
    }
    if (matvec && GatedPair(a, b, c, readers, OpKind::kMoeMatMul)) {
      return step(Fusion::kGatedMoeMatMul, 3);
    }
    if (a.kind == OpKind::kRope && b.kind == OpKind::kRope &&
        (c.kind == OpKind::kAttention || c.kind == OpKind::kSinkAttention) && c.in[0] == a.out &&
        c.in[1] == b.out && readers[b.out] == 1 && a.rope.head_dim == b.rope.head_dim &&
        a.rope.layout == b.rope.layout && a.rope.freqs == b.rope.freqs &&
        a.rope.n_rot == b.rope.n_rot && a.rope.attn_factor == b.rope.attn_factor &&
        a.rope.ntk_factor == b.rope.ntk_factor &&
        a.rope.ntk_original_ctx == b.rope.ntk_original_ctx && a.rope.n_head == c.attn.n_head &&
        b.rope.n_head == c.attn.n_head_kv && a.rope.head_dim == c.attn.head_dim) {
      return step(Fusion::kRopeAttention, 3);
    }
  }
  return step(Fusion::kNone, 1);
}

}  // namespace

std::vector<Step> PlanSteps(const Graph& graph, bool matvec, bool enabled) {
  const std::vector<int> readers = Readers(graph);
  std::vector<Step> steps;
  for (size_t i = 0; i < graph.ops.size();) {
    const Step s = enabled ? Match(graph, readers, i, matvec)
                           : Step{Fusion::kNone, static_cast<int32_t>(i), 1};
    steps.push_back(s);
    i += static_cast<size_t>(s.count);
  }
  return steps;
}

std::vector<int32_t> GroupEnds(const std::vector<Step>& steps, size_t n_ops) {
  std::vector<int32_t> end(n_ops);
  for (const Step& s : steps) {
    for (int32_t k = 0; k < s.count; ++k) end[s.first + k] = s.first + s.count - 1;
  }
  return end;
}

}  // namespace hfd::vk
