// The Hugging Face checkpoint a gpt-oss GGUF stands for, laid out as OpenAI published
// gpt-oss: each layer's experts fused (gate and up rows interleaved in gate_up_proj), MXFP4
// as _blocks / _scales byte tensors, the gate/up biases fused the same way; the other
// tensors F32 under their HF names.
#pragma once

#include <filesystem>

#include "engine/model/model_files.h"
#include "hfd/status.h"

namespace hfd::testing {

// Writes `config` as dir/config.json and the weights of `gguf` (F32 but for MXFP4 experts)
// as dir/model.safetensors.
Status WriteGptOssTwin(const model::ModelFiles& gguf, const std::filesystem::path& config,
                       const std::filesystem::path& dir);

// tiny-gptoss.gguf of `testdata` (tests/cpu/testdata/moe) as that checkpoint in `dir`
// (created), for tests that load it from a folder; they add the tokenizer.json they need.
Status WriteTinyGptOssTwin(const std::filesystem::path& testdata, const std::filesystem::path& dir);

}  // namespace hfd::testing
