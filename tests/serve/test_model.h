// A tiny synthetic model that runs end to end in unit tests: Llama architecture with
// random Q8_0 weights, a byte-level vocabulary (the 256 bytes plus <|endoftext|>,
// <|im_start|> and <|im_end|> as control tokens) and a ChatML chat template.
#pragma once

#include <filesystem>
#include <string>

#include "hfd/status.h"

namespace hfd::serve::testing {

inline constexpr int kTestVocab = 259;
inline constexpr int kEndOfText = 256;
inline constexpr int kImEnd = 258;

// GPT-2's printable stand-in for `byte` (a byte-level vocabulary's token text), as UTF-8.
std::string Gpt2ByteToken(int byte);

// Writes the model to `path` (hidden 64, 2 layers, training context 512); `seed` varies
// the weights.
Status WriteTestModel(const std::filesystem::path& path, uint64_t seed = 7);

}  // namespace hfd::serve::testing
