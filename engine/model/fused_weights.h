// Weights some files store fused: nomic-bert's attn_qkv holds the Q, K and V projections
// one after another (rows of Q, then of K, then of V). The graph reads them as the split
// names attn_q / attn_k / attn_v; these views are row ranges of the fused tensor, which
// are contiguous bytes in any tensor type, so nothing is copied.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/model/model_desc.h"
#include "engine/model/weights.h"
#include "hfd/status.h"

namespace hfd::model {

// Where a split weight lives in a fused one: `fused`'s rows [first_row, first_row + rows).
struct FusedPart {
  std::string fused;
  int64_t first_row = 0;
  int64_t rows = 0;
};

// The fused tensor that holds canonical weight `name` ("blk.3.attn_k.weight") under
// `desc`'s architecture, or nullopt when the architecture stores it on its own.
std::optional<FusedPart> FusedPartOf(std::string_view name, const ModelDesc& desc);

// The rows of `fused` that `part` names; Corrupt when the tensor is too small for them.
Result<WeightView> SliceRows(const WeightView& fused, const FusedPart& part);

}  // namespace hfd::model
