// The loaded form of a tokenizer, whichever file it came from. The loaders fill it; the
// Tokenizer reads it. Immutable once Finalize has run.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/added_tokens.h"
#include "engine/tokenizer/bpe.h"
#include "engine/tokenizer/normalizer.h"
#include "engine/tokenizer/pair_map.h"
#include "engine/tokenizer/pre_tokenizer.h"
#include "engine/tokenizer/pre_tokenizer_pipeline.h"
#include "engine/tokenizer/token_index.h"
#include "engine/tokenizer/unigram.h"
#include "engine/tokenizer/wordpiece.h"
#include "include/hfd/status.h"

namespace hfd::tok {

enum class ModelKind {
  kSentencePiece,  // "▁" for spaces, byte fallback to <0xNN> (Llama 2, Mistral, TinyLlama)
  kByteLevel,      // GPT-2's byte-to-character map (GPT-2, Llama 3, Qwen2)
  kUnigram,        // SentencePiece spaces and bytes, Unigram segmentation (T5, XLM-R, ...)
  kWordPiece,      // BERT: greedy longest-match pieces, "##" continuations (wordpiece.h)
  kWordLevel,      // one token per word
};

// True for the kinds that write spaces as "▁" and bytes as <0xNN> tokens.
inline bool UsesSpaceMarks(ModelKind kind) {
  return kind == ModelKind::kSentencePiece || kind == ModelKind::kUnigram;
}

// Where a SentencePiece tokenizer puts a "▁" in front of a text segment (a run of text
// between added tokens).
enum class SpacePrefix {
  kNone,
  kAlways,         // every segment (llama.cpp; HF's Prepend normalizer)
  kUnlessPresent,  // every segment not already starting with a space (HF Metaspace "always")
  kFirstSegment,   // only a segment at the start of the text, unless present ("first")
};

// One item of a post-processor's pair template: the tokens of one of the two texts, or a
// special token's ids, with the token type id (segment id) they all get.
struct TemplatePiece {
  int sequence = -1;         // 0: the first text ($A), 1: the second ($B), -1: special ids
  std::vector<int32_t> ids;  // the special token's ids
  int32_t type_id = 0;
};

struct TokenizerModel {
  ModelKind kind = ModelKind::kByteLevel;
  PreTokenizer pre = PreTokenizer::kWhole;
  std::shared_ptr<const PreTokenizerPipeline> pipeline;  // set when pre is kPipeline
  bool nfc = false;                                      // NFC-normalize text segments first
  std::shared_ptr<const Normalizer> normalizer;          // when set, replaces nfc and space_prefix
  SpacePrefix space_prefix = SpacePrefix::kNone;
  bool byte_level_prefix_space = false;         // ByteLevel add_prefix_space: " " before a segment
  bool strip_decoded_space = false;             // Decode drops one leading space (Llama 2)
  bool ignore_merges = false;                   // a word that is a token is used whole (Llama 3)
  bool byte_fallback = false;                   // unknown characters become <0xNN> tokens
  std::shared_ptr<const UnigramModel> unigram;  // set when kind is kUnigram
  WordPieceConfig wordpiece;                    // kWordPiece

  std::vector<std::string> vocab;      // id -> token text as the vocabulary spells it
  std::vector<uint8_t> is_byte_token;  // id -> 1 for SentencePiece <0xNN> tokens
  TokenIndex index;                    // vocabulary text -> id
  PairMap merges;
  // Score merges start from characters, in the vocabulary or not (llama.cpp's SPM): a
  // character outside it that begins or ends a token gets a negative merge-only id
  // (MergeOnlySymbol of its place here). It merges but is never emitted as a token.
  std::vector<std::string> merge_chars;
  TokenIndex merge_char_index;  // merge_chars text -> i
  std::vector<AddedToken> added;

  int32_t unk_id = -1;
  int32_t bos_id = -1;
  int32_t eos_id = -1;
  int32_t pad_id = -1;
  bool add_bos = false;
  bool add_eos = false;
  // The post-processor's tokens around a single sequence, added when add_bos / add_eos;
  // Finalize makes them {bos_id} / {eos_id} when the post-processor gave none.
  std::vector<int32_t> prefix_ids;
  std::vector<int32_t> suffix_ids;
  std::vector<int32_t> eog_ids;  // every id that ends generation

  // Derived by Finalize.
  std::vector<std::string> pieces;       // id -> the bytes it decodes to
  std::vector<uint8_t> is_special;       // id -> 1 when Decode(skip_special) drops it
  std::array<int32_t, 256> byte_ids{};   // byte -> its single-byte token, -1 if none
  std::array<int32_t, 128> ascii_ids{};  // SentencePiece: ASCII char -> FindCharSymbol
  AddedTokenMatcher matcher;

  // How EncodePair joins two texts (post_processor.h); unset, with the reason in
  // no_pair_reason, when the tokenizer defines no pair encoding.
  std::optional<std::vector<TemplatePiece>> pair_template;
  std::string no_pair_reason = "it has no post-processor template for two texts";
};

// The id of a token by its vocabulary text; -1 when absent.
inline int32_t FindToken(const TokenizerModel& m, std::string_view text) {
  return m.index.Find(m.vocab, text);
}

// The merge-only id of merge_chars[i].
inline int32_t MergeOnlySymbol(int32_t i) { return -2 - i; }

// The merge symbol of one character: its token id, else its merge-only id, else kNoSymbol.
inline int32_t FindCharSymbol(const TokenizerModel& m, std::string_view character) {
  const int32_t id = FindToken(m, character);
  if (id >= 0 || m.merge_chars.empty()) return id;
  const int32_t i = m.merge_char_index.Find(m.merge_chars, character);
  return i >= 0 ? MergeOnlySymbol(i) : kNoSymbol;
}

// Checks every id the model refers to, fills the derived fields and sorts eog_ids.
Status Finalize(TokenizerModel& model);

}  // namespace hfd::tok
