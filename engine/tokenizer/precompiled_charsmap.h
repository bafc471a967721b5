// sentencepiece's normalizer: the "precompiled charsmap" its .model files carry (and that
// GGUF's tokenizer.ggml.precompiled_charsmap and tokenizer.json's "Precompiled"
// normalizer hold, the latter base64-encoded). The blob is a little-endian uint32 size,
// that many bytes of darts-clone double-array trie units mapping input prefixes to
// offsets, then NUL-terminated replacement strings. Normalizing replaces, at each
// position, the longest prefix the trie holds by its replacement.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "include/hfd/status.h"

namespace hfd::tok {

// Immutable once parsed: Normalize may run on any number of threads.
class PrecompiledCharsmap {
 public:
  // Copies and checks the blob; a truncated or inconsistent one is a Corrupt error. The
  // trie units are only checked as they are used: a unit pointing outside the blob ends
  // a match there instead of failing.
  static Result<std::shared_ptr<const PrecompiledCharsmap>> Parse(std::span<const uint8_t> blob);

  // Appends `text` normalized to `out`. Characters the map does not hold are copied; a
  // byte that starts no valid UTF-8 character becomes U+FFFD, as in sentencepiece.
  void Normalize(std::string_view text, std::string& out) const;

 private:
  // The length of the longest prefix of `text` the trie holds (0: none) and the offset of
  // its replacement.
  std::pair<size_t, uint32_t> LongestMatch(std::string_view text) const;

  std::vector<uint32_t> units_;
  std::string replacements_;  // ends with a NUL, so every offset in it starts a C string
};

// sentencepiece's remove_extra_whitespaces: drops leading and trailing spaces (U+0020)
// and folds each run of them into one. Replaces `out`.
void RemoveExtraSpaces(std::string_view text, std::string& out);

// Decodes standard padded base64 (tokenizer.json's "precompiled_charsmap"); anything else
// is a Corrupt error.
Result<std::vector<uint8_t>> DecodeBase64(std::string_view text);

}  // namespace hfd::tok
