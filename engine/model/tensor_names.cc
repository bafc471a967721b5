#include "engine/model/tensor_names.h"

#include <charconv>
#include <span>

namespace hfd::model {
namespace {

struct NamePair {
  std::string_view hf;
  std::string_view canonical;
};

// Whole-model tensors.
constexpr NamePair kGlobal[] = {
    {"model.embed_tokens.weight", "token_embd.weight"},
    {"model.norm.weight", "output_norm.weight"},
    {"lm_head.weight", "output.weight"},
};

// Per-layer tensors: HF suffix after "model.layers.{i}." and canonical after "blk.{i}.".
constexpr NamePair kLayer[] = {
    {"input_layernorm.weight", "attn_norm.weight"},
    {"self_attn.q_proj.weight", "attn_q.weight"},
    {"self_attn.k_proj.weight", "attn_k.weight"},
    {"self_attn.v_proj.weight", "attn_v.weight"},
    {"self_attn.o_proj.weight", "attn_output.weight"},
    {"self_attn.q_proj.bias", "attn_q.bias"},
    {"self_attn.k_proj.bias", "attn_k.bias"},
    {"self_attn.v_proj.bias", "attn_v.bias"},
    {"self_attn.q_norm.weight", "attn_q_norm.weight"},
    {"self_attn.k_norm.weight", "attn_k_norm.weight"},
    {"post_attention_layernorm.weight", "ffn_norm.weight"},
    {"mlp.gate_proj.weight", "ffn_gate.weight"},
    {"mlp.up_proj.weight", "ffn_up.weight"},
    {"mlp.down_proj.weight", "ffn_down.weight"},
};

// Mixture-of-experts routers and Qwen2-MoE's shared expert (the experts themselves are
// ExpertSliceFromHf's), looked up after kLayer for every architecture.
constexpr NamePair kMoeLayer[] = {
    {"mlp.gate.weight", "ffn_gate_inp.weight"},
    {"block_sparse_moe.gate.weight", "ffn_gate_inp.weight"},
    {"mlp.shared_expert.gate_proj.weight", "ffn_gate_shexp.weight"},
    {"mlp.shared_expert.up_proj.weight", "ffn_up_shexp.weight"},
    {"mlp.shared_expert.down_proj.weight", "ffn_down_shexp.weight"},
    {"mlp.shared_expert_gate.weight", "ffn_gate_inp_shexp.weight"},
};

// Per-expert projections: the HF names after "experts.{e}." and the stacked tensor's after
// "blk.{i}.".
struct ExpertNames {
  std::string_view qwen;
  std::string_view mixtral;
  std::string_view stacked;
};
constexpr ExpertNames kExpertNames[] = {
    {"gate_proj.weight", "w1.weight", "ffn_gate_exps.weight"},
    {"up_proj.weight", "w3.weight", "ffn_up_exps.weight"},
    {"down_proj.weight", "w2.weight", "ffn_down_exps.weight"},
};

// Gemma 2's norms, looked up before kLayer: a norm before and after attention and
// before and after the feed-forward block.
constexpr NamePair kGemma2Layer[] = {
    {"input_layernorm.weight", "attn_norm.weight"},
    {"post_attention_layernorm.weight", "post_attention_norm.weight"},
    {"pre_feedforward_layernorm.weight", "ffn_norm.weight"},
    {"post_feedforward_layernorm.weight", "post_ffw_norm.weight"},
};

// OLMo 2's norms, looked up before kLayer: only after attention and the feed-forward block.
constexpr NamePair kOlmo2Layer[] = {
    {"post_attention_layernorm.weight", "post_attention_norm.weight"},
    {"post_feedforward_layernorm.weight", "post_ffw_norm.weight"},
};

// Phi-3's fused projections, named as llama.cpp's converter keeps them: q, k and v rows in
// one tensor, gate and up rows in one (whose GGUF name is ffn_up). fused_weights.h splits
// them into the canonical per-projection views.
constexpr NamePair kPhi3Layer[] = {
    {"self_attn.qkv_proj.weight", "attn_qkv.weight"},
    {"mlp.gate_up_proj.weight", "ffn_up.weight"},
};

// gpt-oss's, looked up before kLayer: the norm before the experts (GGUF's
// post_attention_norm), the attention sinks and output bias, the router (mlp.router) and the
// down projections' biases; the fused experts are gpt_oss_experts.h's.
constexpr NamePair kGptOssLayer[] = {
    {"post_attention_layernorm.weight", "post_attention_norm.weight"},
    {"self_attn.sinks", "attn_sinks.weight"},
    {"self_attn.o_proj.bias", "attn_output.bias"},
    {"mlp.router.weight", "ffn_gate_inp.weight"},
    {"mlp.router.bias", "ffn_gate_inp.bias"},
    {"mlp.experts.down_proj_bias", "ffn_down_exps.bias"},
};

// The table of names an architecture looks up before kLayer.
std::span<const NamePair> ArchLayerNames(Architecture arch) {
  switch (arch) {
    case Architecture::kGemma2:
    case Architecture::kGemma3:
      return kGemma2Layer;
    case Architecture::kOlmo2:
      return kOlmo2Layer;
    case Architecture::kPhi3:
      return kPhi3Layer;
    case Architecture::kGptOss:
      return kGptOssLayer;
    default:
      return {};
  }
}

// BertModel's names (sentence-transformers saves it bare; BertFor* prefix "bert.").
constexpr NamePair kBertGlobal[] = {
    {"embeddings.word_embeddings.weight", "token_embd.weight"},
    {"embeddings.position_embeddings.weight", "position_embd.weight"},
    {"embeddings.token_type_embeddings.weight", "token_types.weight"},
    {"embeddings.LayerNorm.weight", "token_embd_norm.weight"},
    {"embeddings.LayerNorm.bias", "token_embd_norm.bias"},
};

// After "encoder.layer.{i}." and "blk.{i}.", without the .weight / .bias suffix.
constexpr NamePair kBertLayer[] = {
    {"attention.self.query", "attn_q"},
    {"attention.self.key", "attn_k"},
    {"attention.self.value", "attn_v"},
    {"attention.output.dense", "attn_output"},
    {"attention.output.LayerNorm", "attn_output_norm"},
    {"intermediate.dense", "ffn_up"},
    {"output.dense", "ffn_down"},
    {"output.LayerNorm", "layer_output_norm"},
};

// nomic-ai's NomicBertModel (its remote code, which sentence-transformers saves bare), as
// llama.cpp's converter maps it: q, k and v rows in one Wqkv (split by fused_weights.h),
// mlp.fc11 the up projection and fc12 the gate (y = fc11(x) * silu(fc12(x))).
constexpr NamePair kNomicBertGlobal[] = {
    {"embeddings.word_embeddings.weight", "token_embd.weight"},
    {"embeddings.token_type_embeddings.weight", "token_types.weight"},
    {"emb_ln.weight", "token_embd_norm.weight"},
    {"emb_ln.bias", "token_embd_norm.bias"},
};

// After "encoder.layers.{i}." and "blk.{i}.", without the .weight / .bias suffix.
constexpr NamePair kNomicBertLayer[] = {
    {"attn.Wqkv", "attn_qkv"},      {"attn.out_proj", "attn_output"}, {"norm1", "attn_output_norm"},
    {"mlp.fc11", "ffn_up"},         {"mlp.fc12", "ffn_gate"},         {"mlp.fc2", "ffn_down"},
    {"norm2", "layer_output_norm"},
};

// An encoder family's HF names: whole-model tensors, the per-layer prefix and per-layer
// tensors, and a prefix some of its checkpoints put before everything.
struct EncoderNames {
  std::span<const NamePair> global;
  std::string_view hf_layer_prefix;
  std::span<const NamePair> layer;
  std::string_view optional_hf_prefix;
};

constexpr EncoderNames kBertNames{kBertGlobal, "encoder.layer.", kBertLayer, "bert."};
constexpr EncoderNames kNomicBertNames{kNomicBertGlobal, "encoder.layers.", kNomicBertLayer, ""};

// Splits "<prefix><digits>.<rest>" into the layer index and rest.
bool SplitLayer(std::string_view name, std::string_view prefix, int* layer,
                std::string_view* rest) {
  if (name.substr(0, prefix.size()) != prefix) return false;
  name.remove_prefix(prefix.size());
  const size_t dot = name.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 6) return false;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + dot, *layer);
  if (ec != std::errc() || end != name.data() + dot) return false;
  *rest = name.substr(dot + 1);
  return true;
}

std::optional<std::string> Translate(std::string_view name, std::string_view from_prefix,
                                     std::string_view to_prefix, bool hf_to_canonical,
                                     Architecture arch) {
  for (const NamePair& p : kGlobal) {
    if ((hf_to_canonical ? p.hf : p.canonical) == name) {
      return std::string(hf_to_canonical ? p.canonical : p.hf);
    }
  }
  int layer = 0;
  std::string_view rest;
  if (!SplitLayer(name, from_prefix, &layer, &rest)) return std::nullopt;
  const std::span<const NamePair> tables[] = {ArchLayerNames(arch), kLayer, kMoeLayer};
  for (std::span<const NamePair> table : tables) {
    for (const NamePair& p : table) {
      if ((hf_to_canonical ? p.hf : p.canonical) == rest) {
        return std::string(to_prefix) + std::to_string(layer) + "." +
               std::string(hf_to_canonical ? p.canonical : p.hf);
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> TranslateEncoder(std::string_view name, const EncoderNames& names,
                                            bool hf_to_canonical) {
  if (hf_to_canonical && name.starts_with(names.optional_hf_prefix)) {
    name.remove_prefix(names.optional_hf_prefix.size());
  }
  for (const NamePair& p : names.global) {
    if ((hf_to_canonical ? p.hf : p.canonical) == name) {
      return std::string(hf_to_canonical ? p.canonical : p.hf);
    }
  }
  int layer = 0;
  std::string_view rest;
  if (!SplitLayer(name, hf_to_canonical ? names.hf_layer_prefix : "blk.", &layer, &rest)) {
    return std::nullopt;
  }
  const size_t dot = rest.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view kind = rest.substr(dot);  // ".weight" or ".bias"
  rest = rest.substr(0, dot);
  for (const NamePair& p : names.layer) {
    if ((hf_to_canonical ? p.hf : p.canonical) == rest) {
      return std::string(hf_to_canonical ? "blk." : names.hf_layer_prefix) + std::to_string(layer) +
             "." + std::string(hf_to_canonical ? p.canonical : p.hf) + std::string(kind);
    }
  }
  return std::nullopt;
}

// The encoder families' names; null for the others.
const EncoderNames* EncoderNamesOf(Architecture arch) {
  if (arch == Architecture::kBert) return &kBertNames;
  if (arch == Architecture::kNomicBert) return &kNomicBertNames;
  return nullptr;
}

// Gemma 3's multimodal checkpoints hold the text model under "language_model."
// (language_model.model.layers.0... before transformers 4.52, model.language_model.layers.0...
// since): without it, the names are Gemma3ForCausalLM's.
std::string WithoutLanguageModel(std::string_view name) {
  std::string out(name);
  constexpr std::string_view kPart = "language_model.";
  if (const size_t at = out.find(kPart); at != std::string::npos) out.erase(at, kPart.size());
  return out;
}

}  // namespace

std::optional<std::string> CanonicalFromHf(std::string_view hf_name, Architecture arch) {
  if (const EncoderNames* names = EncoderNamesOf(arch)) {
    return TranslateEncoder(hf_name, *names, true);
  }
  if (arch == Architecture::kGemma3) {
    return Translate(WithoutLanguageModel(hf_name), "model.layers.", "blk.", true, arch);
  }
  return Translate(hf_name, "model.layers.", "blk.", true, arch);
}

bool IsVisionTensor(std::string_view hf_name) {
  for (std::string_view prefix :
       {"vision_tower.", "multi_modal_projector.", "model.vision_tower.",
        "model.multi_modal_projector.", "vision_model.", "multimodal_projector."}) {
    if (hf_name.starts_with(prefix)) return true;
  }
  return false;
}

std::optional<std::string> HfFromCanonical(std::string_view canonical, Architecture arch) {
  if (const EncoderNames* names = EncoderNamesOf(arch)) {
    return TranslateEncoder(canonical, *names, false);
  }
  std::optional<std::string> hf = Translate(canonical, "blk.", "model.layers.", false, arch);
  // Mixtral's router is under block_sparse_moe; the table lists Qwen's first.
  if (hf && arch == Architecture::kLlama && hf->ends_with(".mlp.gate.weight")) {
    hf->replace(hf->size() - std::string_view("mlp.gate.weight").size(), std::string::npos,
                "block_sparse_moe.gate.weight");
  }
  return hf;
}

std::optional<ExpertSlice> ExpertSliceFromHf(std::string_view hf_name) {
  int layer = 0;
  std::string_view rest;
  if (!SplitLayer(hf_name, "model.layers.", &layer, &rest)) return std::nullopt;
  bool mixtral = false;
  if (rest.starts_with("block_sparse_moe.")) {
    mixtral = true;
    rest.remove_prefix(std::string_view("block_sparse_moe.").size());
  } else if (rest.starts_with("mlp.")) {
    rest.remove_prefix(std::string_view("mlp.").size());
  } else {
    return std::nullopt;
  }
  int expert = 0;
  std::string_view projection;
  if (!SplitLayer(rest, "experts.", &expert, &projection)) return std::nullopt;
  for (const ExpertNames& n : kExpertNames) {
    if (projection == (mixtral ? n.mixtral : n.qwen)) {
      return ExpertSlice{"blk." + std::to_string(layer) + "." + std::string(n.stacked), expert};
    }
  }
  return std::nullopt;
}

std::optional<std::string> HfExpertName(std::string_view stacked, int64_t expert,
                                        Architecture arch) {
  int layer = 0;
  std::string_view rest;
  if (!SplitLayer(stacked, "blk.", &layer, &rest)) return std::nullopt;
  const bool mixtral = arch == Architecture::kLlama;
  for (const ExpertNames& n : kExpertNames) {
    if (rest == n.stacked) {
      return "model.layers." + std::to_string(layer) + (mixtral ? ".block_sparse_moe" : ".mlp") +
             ".experts." + std::to_string(expert) + "." + std::string(mixtral ? n.mixtral : n.qwen);
    }
  }
  return std::nullopt;
}

}  // namespace hfd::model
