// Phi-3 keeps its q, k and v projections in one tensor (blk.N.attn_qkv.weight: the q rows,
// then k, then v) and its gate and up projections in one (blk.N.ffn_up.weight, 2 * n_ff
// rows: gate, then up), in GGUF and safetensors alike; nomic-bert fuses q, k and v the same
// way. This wraps such a model so that the
// canonical per-projection weights (attn_q/k/v, ffn_gate/ffn_up) are views of row ranges of
// the fused tensors: no copy, and the forward pass stays the one of the other families.
#pragma once

#include <memory>

#include "engine/model/model_files.h"

namespace hfd::model {

// `inner` as a model whose fused tensors read as their parts; layers whose projections
// are stored apart pass through.
std::unique_ptr<ModelFiles> SplitFusedWeights(std::unique_ptr<ModelFiles> inner);

}  // namespace hfd::model
