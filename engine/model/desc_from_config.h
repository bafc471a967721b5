// Builds a ModelDesc from a Hugging Face config.json (and generation_config.json).
#pragma once

#include <string_view>

#include "engine/model/model_desc.h"

namespace hfd::model {

// `config_json` is config.json's text; `generation_config_json` is that file's text or
// empty. Tied embeddings, biases and q/k norms are read from the config here and may be
// refined from the tensors present (see OpenModelFiles). Safetensors checkpoints use the
// half-split RoPE layout.
Result<ModelDesc> DescFromConfig(std::string_view config_json,
                                 std::string_view generation_config_json);

}  // namespace hfd::model
