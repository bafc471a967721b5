// WordPiece (BERT) and WordLevel models: each pre-tokenized word becomes vocabulary
// tokens by greedy longest-match-first (WordPiece) or by a whole-word lookup (WordLevel).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hfd::tok {

struct TokenizerModel;

// How a WordPiece vocabulary spells the first and the following pieces of a word.
// tokenizer.json: "" and "##" ("hello", "##lo"); llama.cpp's GGUF converter rewrites
// that as "▁" and "" ("▁hello", "lo").
struct WordPieceConfig {
  std::string word_prefix;
  std::string continuing_prefix = "##";
  size_t max_input_chars = 100;  // a longer word is one unknown token
  bool decode_cleanup = true;    // Decode drops the space before . , ! ? as HF's decoder does
  size_t max_token_bytes = 0;    // longest vocabulary entry, set by Finalize
};

// Appends the ids of `word` (non-empty) to `out`: the longest vocabulary piece first, then
// the longest continuation, and so on; the whole word becomes m.unk_id when it is longer
// than max_input_chars or some position starts no piece. `key` is scratch.
void EncodeWordPieceWord(const TokenizerModel& m, std::string_view word, std::string& key,
                         std::vector<int32_t>& out);

// Appends the word's id, or m.unk_id when the vocabulary lacks it.
void EncodeWordLevelWord(const TokenizerModel& m, std::string_view word, std::vector<int32_t>& out);

// The text a WordPiece token adds to decoded text: a continuation without its prefix,
// any other token with a space in front (Decode strips the text's first space).
std::string WordPieceDecodedPiece(const WordPieceConfig& config, std::string_view token);

}  // namespace hfd::tok
