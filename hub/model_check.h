// Early refusal of models the engine cannot run, from config.json or the first bytes of a
// GGUF file, before gigabytes of weights are downloaded.
#pragma once

#include <set>
#include <string>

#include "hfd/status.h"

namespace hfd::hub {

// What the engine runs. The daemon may fill this from the engine; the defaults are the
// architectures hfd implements.
struct ModelSupport {
  std::set<std::string> hf_architectures = {"LlamaForCausalLM", "MistralForCausalLM",
                                            "Qwen2ForCausalLM", "Qwen3ForCausalLM"};
  std::set<std::string> gguf_architectures = {"llama", "mistral", "qwen2", "qwen3"};
};

// Checks a config.json: `architectures[0]` (or `model_type`) must be supported, and
// pre-quantized checkpoints (quantization_config: GPTQ, AWQ, bitsandbytes, ...) are refused.
Status CheckConfigJson(const std::string& json, const ModelSupport& support);

// Checks the start of a GGUF file: magic, version 2 or 3, and general.architecture when it
// lies within `prefix`. A header longer than the prefix passes (nothing to refuse yet).
Status CheckGgufPrefix(const std::string& prefix, const ModelSupport& support);

// How many leading bytes of a GGUF file CheckGgufPrefix wants.
constexpr size_t kGgufPrefixBytes = 256 * 1024;

}  // namespace hfd::hub
