// gpt-oss's Hugging Face checkpoints keep each layer's experts fused: one tensor for all
// experts' gate and up projections, their output rows interleaved (gate row j is row 2j, up
// row j is row 2j + 1), and one for the down projections, both in MXFP4 as
// <name>_blocks / <name>_scales (engine/quant/mxfp4_hf.h), with BF16 biases. This repacks
// them into the stacked GGUF tensors llama.cpp's converter writes (ffn_{gate,up,down}_exps,
// MXFP4 blocks; the gate and up biases split), held in memory.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/model/model_desc.h"
#include "engine/quant/tensor_type.h"
#include "engine/safetensors/safetensors_checkpoint.h"
#include "hfd/status.h"

namespace hfd::model {

// A weight built at load, in GGML order (shape[0] = row length).
struct OwnedWeight {
  TensorType type{};
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};

// blk.{i}.ffn_{gate,up,down}_exps.weight and ffn_{gate,up}_exps.bias of every layer of `d`
// from `ckpt`'s model.layers.{i}.mlp.experts.{gate_up_proj,down_proj}_{blocks,scales} and
// gate_up_proj_bias. Corrupt, naming the tensor, when one is missing or shaped unlike `d`.
Result<std::map<std::string, OwnedWeight>> RepackGptOssExperts(const ModelDesc& d,
                                                               const safetensors::Checkpoint& ckpt);

}  // namespace hfd::model
