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

}  // namespace hfd::model
