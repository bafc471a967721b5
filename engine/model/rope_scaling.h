// Linear, YaRN and dynamic-NTK RoPE scaling: the facts of transformers'
// modeling_rope_utils (and llama.cpp's equivalent YaRN), computed once per model.
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

}  // namespace hfd::model
