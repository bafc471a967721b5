// gpt-oss's Hugging Face checkpoints keep each layer's experts fused: one tensor for all
// experts' gate and up projections, their output rows interleaved (gate row j is row 2j, up
// row j is row 2j + 1), and one for the down projections, both in MXFP4 as
// <name>_blocks / <name>_scales (engine/quant/mxfp4_hf.h), with BF16 biases. This repacks
// them into the stacked GGUF tensors llama.cpp's converter writes (ffn_{gate,up,down}_exps,
// MXFP4 blocks; the gate and up biases split), as tensors of a derived file
// (engine/model/derived_weights.h): built once into hfd's cache, mapped on later loads.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/model/derived_weights.h"
#include "engine/model/model_desc.h"
#include "engine/safetensors/safetensors_checkpoint.h"
#include "hfd/status.h"

namespace hfd::model {

// The layout of what GptOssExpertTensors' fills write; a new value rebuilds derived files.
inline constexpr uint32_t kGptOssExpertsLayout = 1;

// blk.{i}.ffn_{gate,up,down}_exps.weight and ffn_{gate,up}_exps.bias of every layer of `d`
// from `ckpt`'s model.layers.{i}.mlp.experts.{gate_up_proj,down_proj}_{blocks,scales} and
// gate_up_proj_bias. Corrupt, naming the tensor, when one is missing or shaped unlike `d`
// (checked here, before anything is written). The fills read `ckpt`'s mapping: it must
// outlive them.
Result<std::vector<DerivedTensor>> GptOssExpertTensors(const ModelDesc& d,
                                                       const safetensors::Checkpoint& ckpt);

}  // namespace hfd::model
