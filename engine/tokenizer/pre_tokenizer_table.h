// GGUF's tokenizer.ggml.pre names, as llama.cpp knows them, with the regexes its
// byte-level BPE tokenizer splits text by and the flags it sets for each.
#pragma once

#include <span>
#include <string_view>

namespace hfd::tok {

struct GgufPreTokenizer {
  std::string_view name;
  // PCRE2 patterns applied in order, each splitting every piece of the previous one.
  std::span<const std::string_view> regexes;
  bool ignore_merges;  // a word that is itself a token is not merged from bytes
  bool add_bos;        // llama.cpp's add_bos default (tokenizer.ggml.add_bos_token overrides)
};

// The entry for a tokenizer.ggml.pre value, or nullptr when llama.cpp has no such name.
const GgufPreTokenizer* FindGgufPreTokenizer(std::string_view name);

// Every entry (for the tests and the docs).
std::span<const GgufPreTokenizer> GgufPreTokenizers();

}  // namespace hfd::tok
