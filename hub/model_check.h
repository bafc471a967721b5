// Early refusal of models the engine cannot run, from config.json or the first bytes of a
// GGUF file, before gigabytes of weights are downloaded. The verdicts are the engine's own
// (engine/model's DescFromConfig and ParseArchitecture, engine/quant's tensor types), so
// the Hub client never accepts a model the engine would then refuse to load.
#pragma once

#include <cstdint>
#include <string>

#include "hfd/status.h"

namespace hfd::hub {

// Checks a config.json: no pre-quantized checkpoint (quantization_config: GPTQ, AWQ,
// bitsandbytes, ...), weights stored as float32, float16 or bfloat16 (torch_dtype / dtype),
// and a description the engine accepts (architecture, RoPE scaling, sizes, ...).
Status CheckConfigJson(const std::string& json);

// What the start of a GGUF file tells.
enum class GgufVerdict {
  kRunnable,       // architecture and every tensor type are supported
  kNeedMoreBytes,  // nothing refused, but the header continues past the prefix
};

// Checks the start of a GGUF file: magic, version 2 or 3, general.architecture and, once
// the tensor infos are within `prefix`, every tensor's type.
Result<GgufVerdict> CheckGgufPrefix(const std::string& prefix);

// How many leading bytes of a GGUF file to read first, and at most: a header with a large
// vocabulary (150k tokens and merges) takes a few MiB.
constexpr uint64_t kGgufFirstPrefixBytes = 256 * 1024;
constexpr uint64_t kGgufMaxPrefixBytes = 16u << 20;

}  // namespace hfd::hub
