// Hand-written matchers for the pre-tokenizer regexes of byte-level BPE tokenizers. They
// split text exactly as the regex engines of HF tokenizers and llama.cpp do, at a
// fraction of the cost.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace hfd::tok {

// U+2581 "▁": how SentencePiece-style vocabularies write a space.
inline constexpr std::string_view kSpaceMark = "\xE2\x96\x81";

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

// The regexes the hand-written matchers implement, as tokenizer.json and as llama.cpp's
// table write them (pre_tokenizer_table.cc and hf_config.cc use these definitions).
inline constexpr std::string_view kGpt2Regex =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
inline constexpr std::string_view kLlama3Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
inline constexpr std::string_view kQwen2Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
// llama.cpp's spellings. Its GPT-2 regex lacks the final \s+: whitespace that \s+(?!\S)
// leaves unmatched is one character before a non-space, which isolated splitting keeps
// as a gap piece, the same piece \s+ would have matched. Its Llama 3 and Qwen2 regexes
// spell the case-insensitive contractions out as [sS] classes.
inline constexpr std::string_view kGpt2LlamaCppRegex =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))";
inline constexpr std::string_view kLlama3LlamaCppRegex =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
inline constexpr std::string_view kQwen2LlamaCppRegex =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// Hugging Face's is_punctuation (Punctuation, BertPreTokenizer): Unicode P* and ASCII
// punctuation, one character each.
inline constexpr std::string_view kPunctuationRegex = R"([\p{P}!-/:-@\[-`{-~])";
// Whitespace runs (WhitespaceSplit, BertPreTokenizer).
inline constexpr std::string_view kWhitespaceRegex = R"(\s+)";

// The hand-written matcher for a regex used alone with isolated matches, as written in
// tokenizer.json or in llama.cpp's table, or nullopt when there is none.
std::optional<PreTokenizer> PreTokenizerForRegex(std::string_view pattern);

// End of the word that starts at `pos` (pos < text.size()); always > pos; not for
// kPipeline, which the Tokenizer runs itself. Invalid UTF-8
// bytes count as punctuation, so any byte string splits without error.
size_t NextWordEnd(PreTokenizer kind, std::string_view text, size_t pos);

}  // namespace hfd::tok
