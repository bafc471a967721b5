// Text normalization before pre-tokenizing, as tokenizer.json's "normalizer" describes it
// (Hugging Face tokenizers' NFC, NFKC, NFD, NFKD, Lowercase, Strip, StripAccents, Replace,
// Prepend, BertNormalizer, Precompiled, Nmt, in a Sequence), and sentencepiece's for GGUF t5. A
// normalizer of only NFC and SentencePiece's "▁" steps keeps the Tokenizer's fast path; a
// Normalizer runs everything else.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/precompiled_charsmap.h"
#include "engine/tokenizer/regex_splitter.h"

namespace hfd::tok {

enum class NormalizerOp {
  kNfc,
  kNfkc,
  kNfd,
  kNfkd,
  kLowercase,     // full lowercase mapping, one character at a time (Rust's char)
  kStrip,         // Unicode White_Space at the start and/or end
  kStripAccents,  // drops nonspacing marks (Mn)
  kReplace,       // every match of a literal or a regex becomes `text`
  kPrepend,       // `text` before non-empty input
  kBert,          // BertNormalizer
  kPrecompiled,   // sentencepiece's charsmap (tokenizer.json "Precompiled", GGUF t5)
  kExtraSpaces,   // sentencepiece's remove_extra_whitespaces (GGUF t5)
  kNmt,           // drops C0/C1 controls, maps other whitespace-like code points to ' '
};

struct BertNormalizerOptions {
  bool clean_text = true;     // drops NUL, U+FFFD and Cc/Cf/Co/Cs/Cn; whitespace -> ' '
  bool chinese_chars = true;  // a space on both sides of each CJK ideograph
  bool strip_accents = true;  // NFD, then drop Mn (the decomposition stays)
  bool lowercase = true;
};

struct NormalizerStep {
  NormalizerOp op = NormalizerOp::kNfc;
  bool strip_left = false;                              // kStrip
  bool strip_right = false;                             // kStrip
  std::string literal;                                  // kReplace with a String pattern
  std::shared_ptr<const CompiledRegex> regex;           // kReplace with a Regex pattern
  std::string text;                                     // kReplace's content, kPrepend's text
  BertNormalizerOptions bert;                           // kBert
  std::shared_ptr<const PrecompiledCharsmap> charsmap;  // kPrecompiled; null: unchanged
};

// Per-call working memory; one per thread.
struct NormalizerScratch {
  std::string buffer;    // Apply's other half
  std::string stage[2];  // within a step of several stages
  RegexScratch regex;
  std::vector<TextRange> matches;
};

// Immutable once built: Apply may run on any number of threads, each with its own scratch.
class Normalizer {
 public:
  void Add(NormalizerStep step) { steps_.push_back(std::move(step)); }
  bool empty() const { return steps_.empty(); }

  // `text` after every step, in order, into `out`. Invalid UTF-8 bytes pass through
  // unchanged. A Replace whose regex exceeds its backtracking limit (a hostile pattern)
  // leaves its input as it was: Encode has no error channel, and the text stays valid.
  void Apply(std::string_view text, NormalizerScratch& scratch, std::string& out) const;

 private:
  std::vector<NormalizerStep> steps_;
};

// One step on its own (tests): `text` into `out`, which must not overlap `text` or the
// scratch's stages.
void ApplyNormalizerStep(const NormalizerStep& step, std::string_view text,
                         NormalizerScratch& scratch, std::string& out);

}  // namespace hfd::tok
