// Linear, YaRN, dynamic-NTK and Phi-3's longrope RoPE scaling: the facts of transformers'
// modeling_rope_utils (and llama.cpp's equivalents), computed once per model. Shared by the
// GGUF and config.json readers and the graph builder.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/model/model_desc.h"

namespace hfd::model {

// YaRN's default magnitude for a context extended by `factor`: 0.1 * mscale * ln(factor) + 1,
// 1 when factor <= 1.
double YarnMscale(double factor, double mscale = 1.0);

// YaRN's per-pair frequency divisors: 1 for fast-turning pairs, `factor` for slow ones, a
// linear ramp between (see RopeScaling). theta and original_max_position set the ramp.
std::vector<float> YarnFreqFactors(const RopeScaling& s, float theta, int64_t head_dim);

// Fills desc.rope_freq_factors for kLinear (every pair divided by factor) and kYarn; other
// types are left as they are.
void SetScaledRopeFreqFactors(ModelDesc& desc);

// longrope's factor on cos and sin when a config gives none, as Hugging Face computes it:
// sqrt(1 + ln(s) / ln(original)) with s = max_position / original, or 1 when s <= 1.
float LongRopeDefaultAttnFactor(int64_t max_position, int64_t original);

// The longrope divisors a context of n_ctx positions uses: long when n_ctx exceeds the
// original length, else short. Chosen once per context size (as llama.cpp does with n_ctx),
// not per call as transformers does, so keys in the cache keep one rotation.
const std::vector<float>& LongRopeFactorsFor(const RopeScaling& scaling, int64_t n_ctx);

}  // namespace hfd::model
