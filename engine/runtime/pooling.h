// Pooling of an encoder's per-token hidden states into one vector per text (embedding
// models): the mean of the text's rows, its first row (CLS) or its last, then scaled to
// unit L2 norm. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "engine/model/model_desc.h"
#include "include/hfd/status.h"

namespace hfd::runtime {

// `hidden` holds sum(seq_lens) rows of `width`, the texts one after another; appends one
// vector per text to `out`. InvalidArgument for Pooling::kNone or sizes that disagree.
Status PoolTexts(std::span<const float> hidden, int64_t width, std::span<const int32_t> seq_lens,
                 model::Pooling pooling, bool normalize, std::vector<std::vector<float>>& out);

}  // namespace hfd::runtime
