// A tiny synthetic model that runs end to end in unit tests: Llama architecture with
// random Q8_0 weights, a byte-level vocabulary (the 256 bytes plus <|endoftext|>,
// <|im_start|> and <|im_end|> as control tokens) and a ChatML chat template.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "hfd/status.h"

namespace hfd::gguf {
class GgufWriter;
}

namespace hfd::serve::testing {

inline constexpr int kTestVocab = 259;
inline constexpr int kEndOfText = 256;
inline constexpr int kImEnd = 258;

// A token after the bytes of a byte-level vocabulary, with its GGUF token type.
struct VocabWord {
  std::string text;
  int32_t type = 1;  // 1 normal, 3 control
};
// Adds a GPT-2 byte-level tokenizer to a GGUF file: the 256 bytes (ids 0-255), then
// `words`, no merges, and `chat_template`.
void AddByteLevelTokenizer(gguf::GgufWriter& w, const std::vector<VocabWord>& words,
                           std::string_view chat_template);

// Writes the model to `path` (hidden 64, 2 layers, training context 512); `seed` varies
// the weights.
Status WriteTestModel(const std::filesystem::path& path, uint64_t seed = 7);

// Mistral Nemo's shape in small (llama, head_dim 32 != 64 / 4 heads, untied head, theta
// 1e6) with random Q8_0 weights, every row distinct, and the 131072-token tokenizer and
// chat template of `vocab` (tests/tokenizer/testdata/tekken's Nemo vocabulary).
Status WriteTinyNemo(const std::filesystem::path& path, const std::filesystem::path& vocab);

}  // namespace hfd::serve::testing
