// Hugging Face's UnicodeScripts pre-tokenizer: a piece is cut wherever the Unicode script
// changes. Scripts come from ICU (Debian's libicu).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/tokenizer/regex_splitter.h"

namespace hfd::tok {

// The script UnicodeScripts gives `cp`: ICU's Script property, with Hiragana, Katakana and
// U+30FC (the prolonged sound mark) counted as Han; kAnyScript for the space and for code
// points Hugging Face's table (Unicode 9.0) does not have, which join whatever surrounds
// them.
inline constexpr int kAnyScript = -1;
int UnicodeScriptOf(uint32_t cp);

// Appends the pieces of text[piece] to `out`: a new piece starts at each character whose
// script differs from the last character's that was not kAnyScript. As in Hugging Face,
// kAnyScript characters before the first other one are dropped (so is a piece of only
// such characters). An invalid UTF-8 byte counts as kAnyScript.
void SplitByScript(std::string_view text, TextRange piece, std::vector<TextRange>& out);

}  // namespace hfd::tok
