// Shape checks of a model's weights against its description, so that a mismatched or
// truncated checkpoint fails at load with a message instead of misbehaving later.
#include <string>

#include "engine/model/model_files_impl.h"

namespace hfd::model::internal {

std::string ShapeString(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

namespace {

Status Expect(const ModelFiles& f, const std::string& name, const std::vector<int64_t>& shape) {
  auto w = f.Weight(name);
  if (!w.ok()) return w.status();
  if (w->shape != shape) {
    return Corrupt("weight '" + name + "' has shape " + ShapeString(w->shape) +
                   " but the model description needs " + ShapeString(shape));
  }
  return Status::Ok();
}

// BERT's tensors as llama.cpp names them: embeddings with positions and token types and
// their LayerNorm, then per layer biased projections and two post-LayerNorms.
Status CheckBertWeightShapes(const ModelFiles& f) {
  const ModelDesc& d = f.desc();
  const int64_t e = d.n_embd;
  HFD_RETURN_IF_ERROR(Expect(f, "token_embd.weight", {e, d.n_vocab}));
  HFD_RETURN_IF_ERROR(Expect(f, "token_types.weight", {e, d.n_token_types}));
  HFD_RETURN_IF_ERROR(Expect(f, "position_embd.weight", {e, d.n_ctx_train}));
  for (const char* norm : {"token_embd_norm.weight", "token_embd_norm.bias"}) {
    HFD_RETURN_IF_ERROR(Expect(f, norm, {e}));
  }
  for (int64_t i = 0; i < d.n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    for (const char* m : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
      HFD_RETURN_IF_ERROR(Expect(f, b + m + ".weight", {e, e}));
      HFD_RETURN_IF_ERROR(Expect(f, b + m + ".bias", {e}));
    }
    for (const char* v : {"attn_output_norm.weight", "attn_output_norm.bias",
                          "layer_output_norm.weight", "layer_output_norm.bias", "ffn_down.bias"}) {
      HFD_RETURN_IF_ERROR(Expect(f, b + v, {e}));
    }
    HFD_RETURN_IF_ERROR(Expect(f, b + "ffn_up.weight", {e, d.n_ff}));
    HFD_RETURN_IF_ERROR(Expect(f, b + "ffn_up.bias", {d.n_ff}));
    HFD_RETURN_IF_ERROR(Expect(f, b + "ffn_down.weight", {d.n_ff, e}));
  }
  return Status::Ok();
}

// nomic-bert's: token types and their LayerNorm, per layer fused QKV (read as its
// slices), the output projection, SwiGLU and two post-LayerNorms; no biases.
Status CheckNomicBertWeightShapes(const ModelFiles& f) {
  const ModelDesc& d = f.desc();
  const int64_t e = d.n_embd;
  HFD_RETURN_IF_ERROR(Expect(f, "token_embd.weight", {e, d.n_vocab}));
  HFD_RETURN_IF_ERROR(Expect(f, "token_types.weight", {e, d.n_token_types}));
  for (const char* norm : {"token_embd_norm.weight", "token_embd_norm.bias"}) {
    HFD_RETURN_IF_ERROR(Expect(f, norm, {e}));
  }
  for (int64_t i = 0; i < d.n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    HFD_RETURN_IF_ERROR(Expect(f, b + "attn_q.weight", {e, d.n_head * d.head_dim}));
    for (const char* m : {"attn_k.weight", "attn_v.weight"}) {
      HFD_RETURN_IF_ERROR(Expect(f, b + m, {e, d.n_head_kv * d.head_dim}));
    }
    HFD_RETURN_IF_ERROR(Expect(f, b + "attn_output.weight", {d.n_head * d.head_dim, e}));
    for (const char* v : {"attn_output_norm.weight", "attn_output_norm.bias",
                          "layer_output_norm.weight", "layer_output_norm.bias"}) {
      HFD_RETURN_IF_ERROR(Expect(f, b + v, {e}));
    }
    for (const char* m : {"ffn_up.weight", "ffn_gate.weight"}) {
      HFD_RETURN_IF_ERROR(Expect(f, b + m, {e, d.n_ff}));
    }
    HFD_RETURN_IF_ERROR(Expect(f, b + "ffn_down.weight", {d.n_ff, e}));
  }
  return Status::Ok();
}

// A mixture-of-experts layer `b`: the router (one row per expert), the experts stacked in
// 3-D tensors ({row length, rows, experts}), and Qwen2-MoE's shared expert with its gate
// (GGUF stores the gate as a vector, safetensors as one row).
Status CheckExpertShapes(const ModelFiles& f, const std::string& b) {
  const ModelDesc& d = f.desc();
  const int64_t e = d.n_embd, n = d.n_expert, ff = d.n_ff_expert;
  HFD_RETURN_IF_ERROR(Expect(f, b + "ffn_gate_inp.weight", {e, n}));
  HFD_RETURN_IF_ERROR(Expect(f, b + "ffn_gate_exps.weight", {e, ff, n}));
  HFD_RETURN_IF_ERROR(Expect(f, b + "ffn_up_exps.weight", {e, ff, n}));
  HFD_RETURN_IF_ERROR(Expect(f, b + "ffn_down_exps.weight", {ff, e, n}));
  if (d.expert_bias) {  // gpt-oss: one bias per router output and per expert row
    HFD_RETURN_IF_ERROR(Expect(f, b + "ffn_gate_inp.bias", {n}));
    HFD_RETURN_IF_ERROR(Expect(f, b + "ffn_gate_exps.bias", {ff, n}));
    HFD_RETURN_IF_ERROR(Expect(f, b + "ffn_up_exps.bias", {ff, n}));
    HFD_RETURN_IF_ERROR(Expect(f, b + "ffn_down_exps.bias", {e, n}));
  }
  if (d.n_ff_shared_expert == 0) return Status::Ok();
  const int64_t sh = d.n_ff_shared_expert;
  HFD_RETURN_IF_ERROR(Expect(f, b + "ffn_gate_shexp.weight", {e, sh}));
  HFD_RETURN_IF_ERROR(Expect(f, b + "ffn_up_shexp.weight", {e, sh}));
  HFD_RETURN_IF_ERROR(Expect(f, b + "ffn_down_shexp.weight", {sh, e}));
  const std::string gate = b + "ffn_gate_inp_shexp.weight";
  HFD_ASSIGN_OR_RETURN(const WeightView g, f.Weight(gate));
  if (g.shape != std::vector<int64_t>{e} && g.shape != std::vector<int64_t>{e, 1}) {
    return Corrupt("weight '" + gate + "' has shape " + ShapeString(g.shape) +
                   " but the shared expert's gate needs [" + std::to_string(e) + "]");
  }
  return Status::Ok();
}

}  // namespace

Status CheckWeightShapes(const ModelFiles& f) {
  const ModelDesc& d = f.desc();
  if (d.arch == Architecture::kBert) return CheckBertWeightShapes(f);
  if (d.arch == Architecture::kNomicBert) return CheckNomicBertWeightShapes(f);
  const int64_t q_dim = d.n_head * d.head_dim;
  const int64_t kv_dim = d.n_head_kv * d.head_dim;
  HFD_RETURN_IF_ERROR(Expect(f, "token_embd.weight", {d.n_embd, d.n_vocab}));
  HFD_RETURN_IF_ERROR(Expect(f, "output_norm.weight", {d.n_embd}));
  if (!d.tied_embeddings) HFD_RETURN_IF_ERROR(Expect(f, "output.weight", {d.n_embd, d.n_vocab}));
  for (int64_t i = 0; i < d.n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    if (d.pre_norms) HFD_RETURN_IF_ERROR(Expect(f, b + "attn_norm.weight", {d.n_embd}));
    HFD_RETURN_IF_ERROR(Expect(f, b + "attn_q.weight", {d.n_embd, q_dim}));
    HFD_RETURN_IF_ERROR(Expect(f, b + "attn_k.weight", {d.n_embd, kv_dim}));
    HFD_RETURN_IF_ERROR(Expect(f, b + "attn_v.weight", {d.n_embd, kv_dim}));
    HFD_RETURN_IF_ERROR(Expect(f, b + "attn_output.weight", {q_dim, d.n_embd}));
    if (d.qkv_bias) {
      HFD_RETURN_IF_ERROR(Expect(f, b + "attn_q.bias", {q_dim}));
      HFD_RETURN_IF_ERROR(Expect(f, b + "attn_k.bias", {kv_dim}));
      HFD_RETURN_IF_ERROR(Expect(f, b + "attn_v.bias", {kv_dim}));
    }
    if (d.qk_norm) {
      HFD_RETURN_IF_ERROR(Expect(f, b + "attn_q_norm.weight", {QNormWidth(d)}));
      HFD_RETURN_IF_ERROR(Expect(f, b + "attn_k_norm.weight", {KNormWidth(d)}));
    }
    if (d.attn_output_bias) HFD_RETURN_IF_ERROR(Expect(f, b + "attn_output.bias", {d.n_embd}));
    if (d.attn_sinks) HFD_RETURN_IF_ERROR(Expect(f, b + "attn_sinks.weight", {d.n_head}));
    if (d.pre_norms) HFD_RETURN_IF_ERROR(Expect(f, b + FfnNormName(d), {d.n_embd}));
    if (d.post_norms) {
      HFD_RETURN_IF_ERROR(Expect(f, b + "post_attention_norm.weight", {d.n_embd}));
      HFD_RETURN_IF_ERROR(Expect(f, b + "post_ffw_norm.weight", {d.n_embd}));
    }
    if (IsMoe(d)) {
      HFD_RETURN_IF_ERROR(CheckExpertShapes(f, b));
      continue;
    }
    HFD_RETURN_IF_ERROR(Expect(f, b + "ffn_gate.weight", {d.n_embd, d.n_ff}));
    HFD_RETURN_IF_ERROR(Expect(f, b + "ffn_up.weight", {d.n_embd, d.n_ff}));
    HFD_RETURN_IF_ERROR(Expect(f, b + "ffn_down.weight", {d.n_ff, d.n_embd}));
  }
  return Status::Ok();
}

}  // namespace hfd::model::internal
