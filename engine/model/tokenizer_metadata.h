// A vocabulary's tokenizer.* metadata read from one GGUF file, to be written into
// another: how the demo model and synthetic models (WriteSyntheticGguf's vocab_from) get a
// real tokenizer without a Python converter.
#pragma once

#include <string>
#include <vector>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "hfd/status.h"

namespace hfd::model {

struct TokenizerMetadata {
  std::vector<std::string> tokens;
  std::vector<int32_t> token_types;  // llama.cpp's types: 1 normal, 3 control, ...
  std::vector<float> scores;         // empty when the vocabulary has none
  // Every other tokenizer.* key, its value bytes kept verbatim.
  struct Entry {
    std::string key;
    gguf::ValueType type;
    std::string encoded;
  };
  std::vector<Entry> others;
};

// Reads the tokenizer.* keys of `vocab`, leaving out those named in `skip` (keys the
// writer of the new file sets itself, such as the BOS/EOS ids).
Result<TokenizerMetadata> ReadTokenizerMetadata(const gguf::GgufFile& vocab,
                                                const std::vector<std::string>& skip);

// Appends control tokens (type 3, e.g. "<|im_start|>") after the vocabulary; returns the
// id of the first one.
int32_t AddControlTokens(TokenizerMetadata& metadata, const std::vector<std::string>& texts);

// Appends unused placeholder tokens ("<unused0>", ..., type 5) until the vocabulary holds
// `n_vocab` tokens, so a real vocabulary fits a model shape with a larger embedding table;
// InvalidArgument when it already holds more.
Status PadTokens(TokenizerMetadata& metadata, size_t n_vocab);

void WriteTokenizerMetadata(const TokenizerMetadata& metadata, gguf::GgufWriter& writer);

}  // namespace hfd::model
