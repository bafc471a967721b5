// Phi-3's "longrope" RoPE scaling: two sets of per-pair frequency divisors, one for
// contexts within the original training length and one for longer ones, and a factor on
// cos and sin. Shared by the GGUF and config.json readers and the graph builder.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/model/model_desc.h"

namespace hfd::model {

// The factor cos and sin are multiplied by when a config gives none, as Hugging Face
// computes it: sqrt(1 + ln(s) / ln(original)) with s = max_position / original, or 1 when
// s <= 1.
float LongRopeDefaultAttnFactor(int64_t max_position, int64_t original);

// The divisors a context of n_ctx positions uses: long when n_ctx exceeds the original
// length, else short. Chosen once per context size (as llama.cpp does with n_ctx), not per
// call as transformers does, so keys in the cache keep one rotation.
const std::vector<float>& LongRopeFactorsFor(const RopeScaling& scaling, int64_t n_ctx);

}  // namespace hfd::model
