// UTF-8 decoding and the character classes the tokenizers need. Invalid UTF-8 never
// fails here: each bad byte decodes as one code point of its own (kInvalidCodePoint).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/tokenizer/unicode_tables.h"

namespace hfd::tok {

inline constexpr uint32_t kInvalidCodePoint = 0xFFFFFFFFu;

struct DecodedChar {
  uint32_t cp;  // kInvalidCodePoint for a byte that starts no valid sequence
  int len;      // bytes consumed, 1..4
};

// Decodes the UTF-8 sequence at s[pos] (pos < s.size()). Overlong forms, surrogates and
// truncated sequences decode as one invalid byte.
DecodedChar DecodeUtf8(std::string_view s, size_t pos);

// Appends the UTF-8 encoding of `cp` (a valid scalar value) to `out`.
void AppendUtf8(uint32_t cp, std::string& out);

// Letter / number / other, from the generated Unicode tables (ASCII by a fast table).
CharClass ClassOf(uint32_t cp);

// Unicode White_Space (what \s means in the tokenizers' regexes).
bool IsWhitespace(uint32_t cp);

// `s` with invalid UTF-8 replaced by U+FFFD, one per maximal invalid subpart.
std::string SanitizeUtf8(std::string_view s);

// Length of the longest prefix of `s` that does not end inside an incomplete (but so far
// valid) UTF-8 sequence: what a streaming decoder may emit now.
size_t CompleteUtf8Prefix(std::string_view s);

}  // namespace hfd::tok
