// Mapping between Hugging Face checkpoint tensor names and hfd's canonical names, which
// are GGUF's ("blk.3.attn_q.weight").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/model/model_desc.h"

namespace hfd::model {

// The canonical name of an HF tensor ("model.layers.3.self_attn.q_proj.weight" ->
// "blk.3.attn_q.weight"); nullopt for names hfd does not use (rotary caches, ...). Gemma 2/3 and
// OLMo 2 name their norms differently (their post_attention_layernorm follows attention);
// Gemma 3's multimodal checkpoints nest the text model under "language_model.".
std::optional<std::string> CanonicalFromHf(std::string_view hf_name,
                                           Architecture arch = Architecture::kLlama);

// Whether an HF tensor belongs to a multimodal checkpoint's vision tower or projector
// (Gemma3ForConditionalGeneration's), which hfd skips: it runs the text model.
bool IsVisionTensor(std::string_view hf_name);

// The HF name of a canonical tensor; nullopt for names with no HF counterpart
// (rope_freqs.weight) or that are not canonical.
std::optional<std::string> HfFromCanonical(std::string_view canonical,
                                           Architecture arch = Architecture::kLlama);

// One expert's slice of a stacked expert tensor (GGUF's blk.N.ffn_{gate,up,down}_exps.weight,
// {row length, rows, experts}), which Hugging Face checkpoints store as one tensor per
// expert: "model.layers.N.mlp.experts.E.gate_proj.weight" (Qwen-MoE) or
// "model.layers.N.block_sparse_moe.experts.E.w1.weight" (Mixtral; w1 gate, w3 up, w2 down).
struct ExpertSlice {
  std::string stacked;  // the canonical name of the stacked tensor
  int64_t expert = 0;
};
std::optional<ExpertSlice> ExpertSliceFromHf(std::string_view hf_name);

// The HF name of expert `expert` of the stacked tensor `stacked` in `arch`'s naming (llama:
// Mixtral's); nullopt when `stacked` is no stacked expert tensor.
std::optional<std::string> HfExpertName(std::string_view stacked, int64_t expert,
                                        Architecture arch);

}  // namespace hfd::model
