// Hand-written matchers for the pre-tokenizer regexes of byte-level BPE tokenizers. They
// split text exactly as the regex engines of HF tokenizers and llama.cpp do, at a
// fraction of the cost.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace hfd::tok {

enum class PreTokenizer {
  kWhole,           // no splitting: the segment is one word (SentencePiece-style models)
  kMetaspaceWords,  // SentencePiece text split before each "▁" (Metaspace split=true)
  kSpaceRuns,       // SentencePiece text split before each run of "▁": the same ids as kWhole
                    // when no token has a "▁" after another character, much faster
  kGpt2,            // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
  kLlama3,          // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
                    //  ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
  kQwen2,           // as kLlama3 with \p{N} instead of \p{N}{1,3}
  kPipeline,        // the model's PreTokenizerPipeline (regex split steps on PCRE2)
};

// The hand-written matcher for a regex used alone with isolated matches, as written in
// tokenizer.json or in llama.cpp's table, or nullopt when there is none.
std::optional<PreTokenizer> PreTokenizerForRegex(std::string_view pattern);

// End of the word that starts at `pos` (pos < text.size()); always > pos; not for
// kPipeline, which the Tokenizer runs itself. Invalid UTF-8
// bytes count as punctuation, so any byte string splits without error.
size_t NextWordEnd(PreTokenizer kind, std::string_view text, size_t pos);

}  // namespace hfd::tok
