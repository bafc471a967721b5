#include "engine/runtime/graph_builder.h"

#include <cmath>
#include <string>

#include <fmt/format.h>

#include "engine/model/model_files.h"
#include "engine/model/rope_scaling.h"
#include "engine/runtime/rope_freqs.h"
#include "engine/runtime/top_logits.h"

namespace hfd::runtime {

namespace {

// The largest id the top-logits op's float output holds exactly (2^24).
constexpr int64_t kMaxExactFloatId = int64_t{1} << 24;

// Appends values and ops to a graph, checking each weight's shape against the model.
class Builder {
 public:
  Builder(const model::ModelFiles& files, Graph& graph) : files_(files), g_(graph) {}

  ValueId NewValue(std::string name, int64_t width, Rows rows = Rows::kTokens,
                   ValueType type = ValueType::kF32) {
    g_.values.push_back(Value{std::move(name), width, rows, type});
    return static_cast<ValueId>(g_.values.size() - 1);
  }

  // Records weight `name` once (the tied head reuses the embedding), which must have
  // exactly `shape` (GGML order).
  Result<WeightId> Weight(const std::string& name, std::vector<int64_t> shape) {
    for (size_t i = 0; i < g_.weights.size(); ++i) {
      if (g_.weights[i].name == name && g_.weights[i].shape == shape) {
        return static_cast<WeightId>(i);
      }
    }
    auto view = files_.Weight(name);
    if (!view.ok()) return view.status();
    if (view->shape != shape) {
      return Corrupt(
          fmt::format("weight {} has shape [{}], expected [{}]; the model file "
                      "does not match its configuration",
                      name, fmt::join(view->shape, ", "), fmt::join(shape, ", ")));
    }
    g_.weights.push_back(WeightRef{name, view->type, std::move(shape)});
    return static_cast<WeightId>(g_.weights.size() - 1);
  }

  Rows RowsOf(ValueId v) const { return g_.values[v].rows; }
  int64_t WidthOf(ValueId v) const { return g_.values[v].width; }

  ValueId AddOp(Op op, std::string name, int64_t width, Rows rows,
                ValueType type = ValueType::kF32) {
    op.out = NewValue(std::move(name), width, rows, type);
    g_.ops.push_back(op);
    return op.out;
  }

  Result<ValueId> MatMul(ValueId x, const std::string& weight, int64_t out_width) {
    HFD_ASSIGN_OR_RETURN(WeightId w, Weight(weight, {WidthOf(x), out_width}));
    const Op op = MakeOp(OpKind::kMatMul, x, kNone, kNone, w);
    return AddOp(op, weight, out_width, RowsOf(x));
  }

  Result<ValueId> AddBias(ValueId x, const std::string& weight) {
    HFD_ASSIGN_OR_RETURN(WeightId w, Weight(weight, {WidthOf(x)}));
    const Op op = MakeOp(OpKind::kAddBias, x, kNone, kNone, w);
    return AddOp(op, weight, WidthOf(x), RowsOf(x));
  }

  // A projection, with its bias when the architecture has one.
  Result<ValueId> Linear(ValueId x, const std::string& prefix, int64_t out_width, bool bias) {
    HFD_ASSIGN_OR_RETURN(ValueId y, MatMul(x, prefix + ".weight", out_width));
    if (!bias) return y;
    return AddBias(y, prefix + ".bias");
  }

  Result<ValueId> RmsNorm(ValueId x, const std::string& weight, float eps, int64_t group) {
    HFD_ASSIGN_OR_RETURN(WeightId w, Weight(weight, {group}));
    Op op = MakeOp(OpKind::kRmsNorm, x, kNone, kNone, w);
    op.norm = {eps, group};
    return AddOp(op, weight, WidthOf(x), RowsOf(x));
  }

  ValueId Binary(OpKind kind, ValueId a, ValueId b, std::string name) {
    const Op op = MakeOp(kind, a, b);
    return AddOp(op, std::move(name), WidthOf(a), RowsOf(a));
  }

  ValueId Rope(ValueId x, const RopeAttrs& attrs, std::string name, OpKind kind = OpKind::kRope) {
    Op op = MakeOp(kind, x);
    op.rope = attrs;
    return AddOp(op, std::move(name), WidthOf(x), RowsOf(x));
  }

  // An elementwise op with a scalar attribute (kScale, kSoftCap).
  ValueId Scalar(OpKind kind, ValueId x, float scalar, std::string name) {
    Op op = MakeOp(kind, x);
    op.scalar = scalar;
    return AddOp(op, std::move(name), WidthOf(x), RowsOf(x));
  }

  // LayerNorm `prefix`.weight, then its bias `prefix`.bias (BERT).
  Result<ValueId> LayerNorm(ValueId x, const std::string& prefix, float eps) {
    HFD_ASSIGN_OR_RETURN(WeightId w, Weight(prefix + ".weight", {WidthOf(x)}));
    Op op = MakeOp(OpKind::kLayerNorm, x, kNone, kNone, w);
    op.norm = {eps, WidthOf(x)};
    const ValueId y = AddOp(op, prefix, WidthOf(x), RowsOf(x));
    return AddBias(y, prefix + ".bias");
  }

  // Rows of weight `name` ({width, rows}) by each token's id (kGetRows), or by its
  // position in its text or a fixed row (kPositionRows).
  Result<ValueId> TableRows(OpKind kind, const std::string& name, int64_t width, int64_t rows,
                            int32_t fixed_row = -1) {
    HFD_ASSIGN_OR_RETURN(WeightId w, Weight(name, {width, rows}));
    Op op = MakeOp(kind, kNone, kNone, kNone, w);
    op.fixed_row = fixed_row;
    return AddOp(op, name, width, Rows::kTokens);
  }

  // The weight `name` with the shape it is stored in, which must be one of `shapes` (a
  // vector stored as a vector in GGUF and as one row in safetensors).
  Result<WeightId> WeightOfShapes(const std::string& name,
                                  const std::vector<std::vector<int64_t>>& shapes) {
    auto view = files_.Weight(name);
    if (!view.ok()) return view.status();
    for (const std::vector<int64_t>& shape : shapes) {
      if (view->shape == shape) return Weight(name, shape);
    }
    return Weight(name, shapes.front());  // the mismatch, reported there
  }

  ConstId Constant(std::vector<float> data) {
    g_.constants.push_back(std::move(data));
    return static_cast<ConstId>(g_.constants.size() - 1);
  }

 private:
  const model::ModelFiles& files_;
  Graph& g_;
};

// theta^(-2i/d) over the d rotated dimensions, divided by the model's per-pair factors
// (llama3 scaling, or longrope's set for a context of n_ctx).
std::vector<float> InvFreqs(const model::ModelDesc& d, int64_t n_ctx) {
  std::vector<float> freqs = RopeInvFreqs(static_cast<int>(model::RopeDims(d)), d.rope_theta);
  const std::vector<float>& factors =
      d.rope_scaling.type == model::RopeScalingType::kLongRope
          ? model::LongRopeFactorsFor(d.rope_scaling, n_ctx > 0 ? n_ctx : d.n_ctx_train)
          : d.rope_freq_factors;
  for (size_t i = 0; i < freqs.size() && i < factors.size(); ++i) freqs[i] /= factors[i];
  return freqs;
}

// `attrs` with the model's magnitude (YaRN, longrope) and dynamic-NTK settings; the per-pair
// divisors are in the frequencies (InvFreqs).
RopeAttrs ScaledRope(const model::ModelDesc& d, RopeAttrs attrs) {
  attrs.attn_factor = d.rope_scaling.attn_factor;
  if (d.rope_scaling.type == model::RopeScalingType::kDynamic) {
    attrs.ntk_factor = d.rope_scaling.factor;
    attrs.ntk_original_ctx = static_cast<int32_t>(d.rope_scaling.original_max_position);
  }
  return attrs;
}

// The RoPE of layer `layer`'s q or k (`heads` heads): the model's scaled rotation, or, in
// Gemma 3's local layers, the unscaled one at their own base (`local_freqs`).
RopeAttrs LayerRope(const model::ModelDesc& d, int layer, int64_t heads, ConstId freqs,
                    ConstId local_freqs) {
  const RopeAttrs attrs{static_cast<int32_t>(heads), static_cast<int32_t>(d.head_dim),
                        d.rope_layout == model::RopeLayout::kInterleaved ? RopeLayout::kInterleaved
                                                                         : RopeLayout::kHalfSplit,
                        freqs, static_cast<int32_t>(model::RopeDims(d))};
  if (!model::UsesLocalRope(d, layer)) return ScaledRope(d, attrs);
  RopeAttrs local = attrs;
  local.freqs = local_freqs;
  return local;
}

// Adds `branch` to the residual stream `x`, through the post-norm `norm` when the model
// has post-norms (Gemma 2, OLMo 2) and scaled by Granite's residual multiplier.
Result<ValueId> Residual(Builder& b, const model::ModelDesc& d, ValueId x, ValueId branch,
                         const std::string& norm, const std::string& name) {
  if (d.post_norms) {
    HFD_ASSIGN_OR_RETURN(branch, b.RmsNorm(branch, norm, d.rms_eps, d.n_embd));
  }
  if (d.residual_scale != 1.0f) {
    branch = b.Scalar(OpKind::kScale, branch, d.residual_scale, name + "_branch_scaled");
  }
  return b.Binary(OpKind::kAdd, x, branch, name);
}

// The block's input normalized by `norm`, or as it is in models without pre-norms (OLMo 2).
Result<ValueId> PreNorm(Builder& b, const model::ModelDesc& d, ValueId x, const std::string& norm) {
  if (!d.pre_norms) return x;
  return b.RmsNorm(x, norm, d.rms_eps, d.n_embd);
}

// The factor on q·k: Granite's own, else 1 / sqrt(query_pre_attn_scalar or head_dim).
float AttentionScale(const model::ModelDesc& d) {
  if (d.attention_scale > 0) return d.attention_scale;
  const int64_t query_scalar = d.query_pre_attn_scalar > 0 ? d.query_pre_attn_scalar : d.head_dim;
  return static_cast<float>(1.0 / std::sqrt(static_cast<double>(query_scalar)));
}

// A gated MLP of width `n_ff` on the normalized input h: down(act(gate(h)) * up(h)), act the
// model's (SwiGLU, or Gemma's GeGLU), weights ffn_{gate,up,down}`suffix` (Qwen2-MoE's shared
// expert: "_shexp").
Result<ValueId> GatedFeedForward(Builder& b, const model::ModelDesc& d, const std::string& p,
                                 ValueId h, const std::string& suffix, int64_t n_ff) {
  HFD_ASSIGN_OR_RETURN(ValueId gate, b.MatMul(h, p + "ffn_gate" + suffix + ".weight", n_ff));
  HFD_ASSIGN_OR_RETURN(ValueId up, b.MatMul(h, p + "ffn_up" + suffix + ".weight", n_ff));
  const OpKind gated =
      d.ffn_activation == model::FfnActivation::kGeluTanh ? OpKind::kGeGLU : OpKind::kSwiGLU;
  const ValueId act = b.Binary(gated, gate, up, p + "ffn" + suffix + "_act");
  return b.MatMul(act, p + "ffn_down" + suffix + ".weight", d.n_embd);
}

// The experts picked by `routes` applied to x (of width `cols`, or `cols` per slot):
// kMoeMatMul with the stacked weight `name` of shape {cols, rows, n_expert}.
Result<ValueId> ExpertMatMul(Builder& b, const model::ModelDesc& d, ValueId x, ValueId routes,
                             const MoeAttrs& moe, const std::string& name, int64_t cols,
                             int64_t rows) {
  HFD_ASSIGN_OR_RETURN(WeightId w, b.Weight(name, {cols, rows, d.n_expert}));
  Op op = MakeOp(OpKind::kMoeMatMul, x, routes, kNone, w);
  op.moe = moe;
  return b.AddOp(op, name, moe.top_k * rows, b.RowsOf(x));
}

// The experts `prefix` (ffn_gate_exps, ...) picked by `routes` applied to x, plus each
// picked expert's bias (`prefix`.bias, {rows, n_expert}) when the model has them (gpt-oss).
Result<ValueId> ExpertLinear(Builder& b, const model::ModelDesc& d, ValueId x, ValueId routes,
                             const MoeAttrs& moe, const std::string& prefix, int64_t cols,
                             int64_t rows) {
  HFD_ASSIGN_OR_RETURN(ValueId y,
                       ExpertMatMul(b, d, x, routes, moe, prefix + ".weight", cols, rows));
  if (!d.expert_bias) return y;
  HFD_ASSIGN_OR_RETURN(WeightId w, b.Weight(prefix + ".bias", {rows, d.n_expert}));
  Op op = MakeOp(OpKind::kMoeAddBias, y, routes, kNone, w);
  op.moe = moe;
  return b.AddOp(op, prefix + ".bias", b.WidthOf(y), b.RowsOf(y));
}

// The experts' activation: SwiGLU, or gpt-oss's clamped one.
ValueId ExpertActivation(Builder& b, const model::ModelDesc& d, ValueId gate, ValueId up,
                         const std::string& name) {
  if (d.swiglu_limit <= 0) return b.Binary(OpKind::kSwiGLU, gate, up, name);
  Op op = MakeOp(OpKind::kClampedSwiGLU, gate, up);
  op.glu = {d.swiglu_alpha, d.swiglu_limit};
  return b.AddOp(op, name, b.WidthOf(gate), b.RowsOf(gate));
}

// A mixture-of-experts feed-forward block on the normalized input h: the router's top_k
// SwiGLU experts, weighted; plus Qwen2-MoE's shared expert times the sigmoid of its gate.
Result<ValueId> MoeFeedForward(Builder& b, const model::ModelDesc& d, const std::string& p,
                               ValueId h) {
  const MoeAttrs moe{static_cast<int32_t>(d.n_expert), static_cast<int32_t>(d.n_expert_used),
                     d.expert_weights_norm};
  HFD_ASSIGN_OR_RETURN(ValueId logits, b.Linear(h, p + "ffn_gate_inp", d.n_expert, d.expert_bias));
  Op route = MakeOp(OpKind::kMoeRoute, logits);
  route.moe = moe;
  const ValueId routes = b.AddOp(route, p + "moe_routes", 2 * int64_t{moe.top_k}, b.RowsOf(h));
  const int64_t e = d.n_embd, ff = d.n_ff_expert;
  HFD_ASSIGN_OR_RETURN(ValueId gate,
                       ExpertLinear(b, d, h, routes, moe, p + "ffn_gate_exps", e, ff));
  HFD_ASSIGN_OR_RETURN(ValueId up, ExpertLinear(b, d, h, routes, moe, p + "ffn_up_exps", e, ff));
  const ValueId act = ExpertActivation(b, d, gate, up, p + "ffn_exps_act");
  HFD_ASSIGN_OR_RETURN(ValueId down,
                       ExpertLinear(b, d, act, routes, moe, p + "ffn_down_exps", ff, e));
  Op sum = MakeOp(OpKind::kMoeWeightedSum, down, routes);
  sum.moe = moe;
  const ValueId experts = b.AddOp(sum, p + "ffn_moe", d.n_embd, b.RowsOf(h));
  if (d.n_ff_shared_expert == 0) return experts;
  HFD_ASSIGN_OR_RETURN(ValueId sd, GatedFeedForward(b, d, p, h, "_shexp", d.n_ff_shared_expert));
  const std::string gate_name = p + "ffn_gate_inp_shexp.weight";
  HFD_ASSIGN_OR_RETURN(WeightId gw, b.WeightOfShapes(gate_name, {{d.n_embd}, {d.n_embd, 1}}));
  const ValueId g =
      b.AddOp(MakeOp(OpKind::kMatMul, h, kNone, kNone, gw), gate_name, 1, b.RowsOf(h));
  const ValueId shared =
      b.AddOp(MakeOp(OpKind::kSigmoidGate, sd, g), p + "ffn_shexp_gated", d.n_embd, b.RowsOf(h));
  return b.Binary(OpKind::kAdd, experts, shared, p + "ffn_moe_shared");
}

// One transformer block: pre-norm attention and gated MLP, each with a residual add.
Result<ValueId> Block(Builder& b, const model::ModelDesc& d, int layer, ValueId x,
                      ConstId rope_freqs, ConstId local_rope_freqs) {
  const std::string p = fmt::format("blk.{}.", layer);
  const int64_t q_width = d.n_head * d.head_dim;
  const int64_t kv_width = d.n_head_kv * d.head_dim;

  HFD_ASSIGN_OR_RETURN(ValueId h, PreNorm(b, d, x, p + "attn_norm.weight"));
  HFD_ASSIGN_OR_RETURN(ValueId q, b.Linear(h, p + "attn_q", q_width, d.qkv_bias));
  HFD_ASSIGN_OR_RETURN(ValueId k, b.Linear(h, p + "attn_k", kv_width, d.qkv_bias));
  HFD_ASSIGN_OR_RETURN(ValueId v, b.Linear(h, p + "attn_v", kv_width, d.qkv_bias));
  if (d.qk_norm) {
    HFD_ASSIGN_OR_RETURN(q,
                         b.RmsNorm(q, p + "attn_q_norm.weight", d.rms_eps, model::QNormWidth(d)));
    HFD_ASSIGN_OR_RETURN(k,
                         b.RmsNorm(k, p + "attn_k_norm.weight", d.rms_eps, model::KNormWidth(d)));
  }
  const auto n_head = static_cast<int32_t>(d.n_head);
  const auto n_head_kv = static_cast<int32_t>(d.n_head_kv);
  const auto head_dim = static_cast<int32_t>(d.head_dim);
  q = b.Rope(q, LayerRope(d, layer, n_head, rope_freqs, local_rope_freqs), p + "q_rope");
  k = b.Rope(k, LayerRope(d, layer, n_head_kv, rope_freqs, local_rope_freqs), p + "k_rope");

  Op attn = MakeOp(OpKind::kAttention, q, k, v);
  if (d.attn_sinks) {
    attn.kind = OpKind::kSinkAttention;
    HFD_ASSIGN_OR_RETURN(attn.weight, b.Weight(p + "attn_sinks.weight", {d.n_head}));
  }
  attn.attn = {layer,
               n_head,
               n_head_kv,
               head_dim,
               model::UsesSlidingWindow(d, layer) ? d.sliding_window : 0,
               AttentionScale(d),
               d.attn_softcap};
  const ValueId a = b.AddOp(attn, p + "attn", q_width, b.RowsOf(q));
  HFD_ASSIGN_OR_RETURN(ValueId o, b.Linear(a, p + "attn_output", d.n_embd, d.attn_output_bias));
  HFD_ASSIGN_OR_RETURN(x,
                       Residual(b, d, x, o, p + "post_attention_norm.weight", p + "attn_residual"));

  HFD_ASSIGN_OR_RETURN(h, PreNorm(b, d, x, p + model::FfnNormName(d)));
  if (model::IsMoe(d)) {
    HFD_ASSIGN_OR_RETURN(ValueId moe, MoeFeedForward(b, d, p, h));
    return Residual(b, d, x, moe, p + "post_ffw_norm.weight", p + "ffn_residual");
  }
  HFD_ASSIGN_OR_RETURN(ValueId down, GatedFeedForward(b, d, p, h, "", d.n_ff));
  return Residual(b, d, x, down, p + "post_ffw_norm.weight", p + "ffn_residual");
}

// One BERT layer: non-causal attention and a GELU MLP, each added to the residual stream
// and followed by a LayerNorm (post-norm).
Result<ValueId> BertBlock(Builder& b, const model::ModelDesc& d, int layer, ValueId x) {
  const std::string p = fmt::format("blk.{}.", layer);
  const int64_t width = d.n_head * d.head_dim;
  HFD_ASSIGN_OR_RETURN(ValueId q, b.Linear(x, p + "attn_q", width, true));
  HFD_ASSIGN_OR_RETURN(ValueId k, b.Linear(x, p + "attn_k", width, true));
  HFD_ASSIGN_OR_RETURN(ValueId v, b.Linear(x, p + "attn_v", width, true));
  Op attn = MakeOp(d.causal ? OpKind::kAttention : OpKind::kTextAttention, q, k, v);
  attn.attn = {layer,
               static_cast<int32_t>(d.n_head),
               static_cast<int32_t>(d.n_head_kv),
               static_cast<int32_t>(d.head_dim),
               0,
               static_cast<float>(1.0 / std::sqrt(static_cast<double>(d.head_dim))),
               0.0f};
  const ValueId a = b.AddOp(attn, p + "attn", width, b.RowsOf(q));
  HFD_ASSIGN_OR_RETURN(ValueId o, b.Linear(a, p + "attn_output", d.n_embd, true));
  x = b.Binary(OpKind::kAdd, x, o, p + "attn_residual");
  HFD_ASSIGN_OR_RETURN(x, b.LayerNorm(x, p + "attn_output_norm", d.rms_eps));
  HFD_ASSIGN_OR_RETURN(ValueId up, b.Linear(x, p + "ffn_up", d.n_ff, true));
  Op gelu = MakeOp(OpKind::kGelu, up);
  const ValueId act = b.AddOp(gelu, p + "ffn_act", d.n_ff, b.RowsOf(up));
  HFD_ASSIGN_OR_RETURN(ValueId down, b.Linear(act, p + "ffn_down", d.n_embd, true));
  x = b.Binary(OpKind::kAdd, x, down, p + "ffn_residual");
  return b.LayerNorm(x, p + "layer_output_norm", d.rms_eps);
}

// One nomic-bert layer: BERT's with fused QKV (read as slices), RoPE (half-split pairs) at
// each token's position within its text instead of learned positions, no projection
// biases, and a SwiGLU feed-forward (silu(gate) * up).
Result<ValueId> NomicBertBlock(Builder& b, const model::ModelDesc& d, int layer, ValueId x,
                               ConstId rope_freqs) {
  const std::string p = fmt::format("blk.{}.", layer);
  const auto n_head = static_cast<int32_t>(d.n_head);
  const auto n_head_kv = static_cast<int32_t>(d.n_head_kv);
  const auto head_dim = static_cast<int32_t>(d.head_dim);
  HFD_ASSIGN_OR_RETURN(ValueId q, b.MatMul(x, p + "attn_q.weight", int64_t{n_head} * head_dim));
  HFD_ASSIGN_OR_RETURN(ValueId k, b.MatMul(x, p + "attn_k.weight", int64_t{n_head_kv} * head_dim));
  HFD_ASSIGN_OR_RETURN(ValueId v, b.MatMul(x, p + "attn_v.weight", int64_t{n_head_kv} * head_dim));
  q = b.Rope(q, {n_head, head_dim, RopeLayout::kHalfSplit, rope_freqs}, p + "q_rope",
             OpKind::kTextRope);
  k = b.Rope(k, {n_head_kv, head_dim, RopeLayout::kHalfSplit, rope_freqs}, p + "k_rope",
             OpKind::kTextRope);
  Op attn = MakeOp(d.causal ? OpKind::kTextCausalAttention : OpKind::kTextAttention, q, k, v);
  attn.attn = {layer,    n_head, n_head_kv,
               head_dim, 0,      static_cast<float>(1.0 / std::sqrt(static_cast<double>(head_dim))),
               0.0f};
  const ValueId a = b.AddOp(attn, p + "attn", b.WidthOf(q), b.RowsOf(q));
  HFD_ASSIGN_OR_RETURN(ValueId o, b.MatMul(a, p + "attn_output.weight", d.n_embd));
  x = b.Binary(OpKind::kAdd, x, o, p + "attn_residual");
  HFD_ASSIGN_OR_RETURN(x, b.LayerNorm(x, p + "attn_output_norm", d.rms_eps));
  HFD_ASSIGN_OR_RETURN(ValueId gate, b.MatMul(x, p + "ffn_gate.weight", d.n_ff));
  HFD_ASSIGN_OR_RETURN(ValueId up, b.MatMul(x, p + "ffn_up.weight", d.n_ff));
  const ValueId act = b.Binary(OpKind::kSwiGLU, gate, up, p + "ffn_act");
  HFD_ASSIGN_OR_RETURN(ValueId down, b.MatMul(act, p + "ffn_down.weight", d.n_embd));
  x = b.Binary(OpKind::kAdd, x, down, p + "ffn_residual");
  return b.LayerNorm(x, p + "layer_output_norm", d.rms_eps);
}

// The BERT encoder: token + position + token-type-0 embeddings, LayerNorm, the layers;
// its output is every token's hidden state (pooling is the caller's, per text).
// nomic-bert has no position table (its layers rotate q and k instead).
Result<ValueId> BertEncoder(Builder& b, const model::ModelDesc& d) {
  HFD_ASSIGN_OR_RETURN(ValueId x,
                       b.TableRows(OpKind::kGetRows, "token_embd.weight", d.n_embd, d.n_vocab));
  HFD_ASSIGN_OR_RETURN(ValueId types, b.TableRows(OpKind::kPositionRows, "token_types.weight",
                                                  d.n_embd, d.n_token_types, 0));
  x = b.Binary(OpKind::kAdd, x, types, "embeddings_typed");
  const bool nomic = d.arch == model::Architecture::kNomicBert;
  if (!nomic) {
    HFD_ASSIGN_OR_RETURN(
        ValueId positions,
        b.TableRows(OpKind::kPositionRows, "position_embd.weight", d.n_embd, d.n_ctx_train));
    x = b.Binary(OpKind::kAdd, x, positions, "embeddings_positioned");
  }
  HFD_ASSIGN_OR_RETURN(x, b.LayerNorm(x, "token_embd_norm", d.rms_eps));
  const ConstId rope_freqs = nomic ? b.Constant(InvFreqs(d, d.n_ctx_train)) : kNone;
  for (int layer = 0; layer < d.n_layer; ++layer) {
    HFD_ASSIGN_OR_RETURN(
        x, nomic ? NomicBertBlock(b, d, layer, x, rope_freqs) : BertBlock(b, d, layer, x));
  }
  return x;
}

// A decoder embedder (Qwen3-Embedding): the texts of a call are computed together, each
// attending causally within itself only and from position 0 (as alone; RoPE scores depend
// only on position differences, but angles stay as small as a text's own), so the decoder
// layers' RoPE and attention ops become their per-text forms (same attributes). The output
// is every token's hidden state after the final norm; pooling (last token) picks one per
// text.
Result<ValueId> DecoderEmbedding(Builder& b, Graph& graph, const model::ModelDesc& d, ValueId x) {
  for (Op& op : graph.ops) {
    if (op.kind == OpKind::kRope) op.kind = OpKind::kTextRope;
    if (op.kind == OpKind::kAttention) op.kind = OpKind::kTextCausalAttention;
  }
  return b.RmsNorm(x, "output_norm.weight", d.rms_eps, d.n_embd);
}

}  // namespace

Result<Graph> BuildGraph(const model::ModelFiles& files, const GraphOptions& options) {
  if (options.max_tokens < 1) {
    return InvalidArgument(
        fmt::format("max_tokens must be at least 1, got {}", options.max_tokens));
  }
  const model::ModelDesc& d = files.desc();
  HFD_RETURN_IF_ERROR(model::ValidateDesc(d));

  Graph graph;
  graph.max_tokens = options.max_tokens;
  graph.output_kind = options.output;
  graph.n_layer = static_cast<int32_t>(d.n_layer);
  graph.n_head_kv = static_cast<int32_t>(d.n_head_kv);
  graph.head_dim = static_cast<int32_t>(d.head_dim);
  Builder b(files, graph);
  if (options.multi_sequence && options.output == GraphOutput::kAllHidden) {
    return Unsupported("multi-sequence graphs generate text; embeddings pack texts with seq_lens");
  }
  if (model::IsBertFamily(d.arch)) {
    if (options.output != GraphOutput::kAllHidden) {
      return Unsupported("a BERT model is an encoder: it computes embeddings, not text");
    }
    HFD_ASSIGN_OR_RETURN(graph.hidden, BertEncoder(b, d));
    return graph;
  }
  if (options.output == GraphOutput::kAllHidden && d.pooling == model::Pooling::kNone) {
    return Unsupported(fmt::format(
        "model architecture {} is a text generator with no pooling; use an embedding model",
        model::ArchitectureName(d.arch)));
  }

  HFD_ASSIGN_OR_RETURN(WeightId embd, b.Weight("token_embd.weight", {d.n_embd, d.n_vocab}));
  const Op get_rows = MakeOp(OpKind::kGetRows, kNone, kNone, kNone, embd);
  ValueId x = b.AddOp(get_rows, "embeddings", d.n_embd, Rows::kTokens);
  if (d.scale_embeddings) {
    x = b.Scalar(OpKind::kScale, x, static_cast<float>(std::sqrt(static_cast<double>(d.n_embd))),
                 "embeddings_scaled");
  }
  if (d.embedding_scale != 1.0f) {
    x = b.Scalar(OpKind::kScale, x, d.embedding_scale, "embeddings_multiplied");
  }

  const ConstId rope_freqs = b.Constant(InvFreqs(d, options.n_ctx));
  const ConstId local_rope_freqs =
      d.rope_local_theta > 0
          ? b.Constant(RopeInvFreqs(static_cast<int>(model::RopeDims(d)), d.rope_local_theta))
          : kNone;
  for (int layer = 0; layer < d.n_layer; ++layer) {
    HFD_ASSIGN_OR_RETURN(x, Block(b, d, layer, x, rope_freqs, local_rope_freqs));
  }
  if (options.output == GraphOutput::kAllHidden) {
    HFD_ASSIGN_OR_RETURN(graph.hidden, DecoderEmbedding(b, graph, d, x));
    return graph;
  }
  const Rows last_rows = options.multi_sequence ? Rows::kSequences : Rows::kOne;
  if (options.output != GraphOutput::kAllLogits) {
    const Op last = MakeOp(OpKind::kLastRow, x);
    x = b.AddOp(last, "last_row", d.n_embd, last_rows);
  }
  HFD_ASSIGN_OR_RETURN(x, b.RmsNorm(x, "output_norm.weight", d.rms_eps, d.n_embd));
  const std::string head = d.tied_embeddings ? "token_embd.weight" : "output.weight";
  HFD_ASSIGN_OR_RETURN(ValueId logits, b.MatMul(x, head, d.n_vocab));
  if (d.final_softcap > 0) logits = b.Scalar(OpKind::kSoftCap, logits, d.final_softcap, "logits");
  if (d.logit_scale != 1.0f)
    logits = b.Scalar(OpKind::kScale, logits, 1.0f / d.logit_scale, "logits");
  graph.values[logits].name = "logits";
  if (options.output == GraphOutput::kLastArgmax) {
    const Op argmax = MakeOp(OpKind::kArgmax, logits);
    graph.argmax = b.AddOp(argmax, "argmax", 1, last_rows, ValueType::kI32);
  } else if (options.output == GraphOutput::kLastTopLogits) {
    if (d.n_vocab < kMaxTopLogits || d.n_vocab > kMaxExactFloatId) {
      return Unsupported(fmt::format("top logits need a vocabulary of {} to {} entries, not {}",
                                     kMaxTopLogits, kMaxExactFloatId, d.n_vocab));
    }
    Op top = MakeOp(OpKind::kTopLogits, logits);
    top.top_k = kMaxTopLogits;
    graph.top_logits = b.AddOp(top, "top_logits", TopLogitsWidth(kMaxTopLogits), last_rows);
  } else {
    graph.logits = logits;
  }
  return graph;
}

}  // namespace hfd::runtime
