// Mapping between Hugging Face checkpoint tensor names and hfd's canonical names, which
// are GGUF's ("blk.3.attn_q.weight").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/model/model_desc.h"

namespace hfd::model {

// The canonical name of an HF tensor ("model.layers.3.self_attn.q_proj.weight" ->
// "blk.3.attn_q.weight"); nullopt for names hfd does not use (rotary caches, ...). Gemma 2 and
// OLMo 2 name their norms differently (their post_attention_layernorm follows attention).
std::optional<std::string> CanonicalFromHf(std::string_view hf_name,
                                           Architecture arch = Architecture::kLlama);

// The HF name of a canonical tensor; nullopt for names with no HF counterpart
// (rope_freqs.weight) or that are not canonical.
std::optional<std::string> HfFromCanonical(std::string_view canonical,
                                           Architecture arch = Architecture::kLlama);

}  // namespace hfd::model
