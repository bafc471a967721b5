#include "engine/tokenizer/script_splitter.h"

#include <unicode/uchar.h>
#include <unicode/uscript.h>

#include "engine/tokenizer/unicode.h"

namespace hfd::tok {

int UnicodeScriptOf(uint32_t cp) {
  if (cp == ' ' || cp == kInvalidCodePoint) return kAnyScript;
  if (cp == 0x30FC) return USCRIPT_HAN;
  const auto c = static_cast<UChar32>(cp);
  UVersionInfo age;
  u_charAge(c, age);
  // Hugging Face's script table is Unicode 9.0's; what it lacks is "Any" there. (Age 0.0
  // means unassigned.)
  if ((age[0] == 0 && age[1] == 0) || age[0] > 9) return kAnyScript;
  UErrorCode error = U_ZERO_ERROR;
  const UScriptCode script = uscript_getScript(c, &error);
  if (U_FAILURE(error) || script == USCRIPT_UNKNOWN) return kAnyScript;
  if (script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA) return USCRIPT_HAN;
  return script;
}

void SplitByScript(std::string_view text, TextRange piece, std::vector<TextRange>& out) {
  constexpr int kNone = -2;  // no character with a script seen yet
  int last = kNone;
  size_t start = piece.end;  // the piece being built, if last != kNone
  for (size_t pos = piece.begin; pos < piece.end;) {
    const DecodedChar c = DecodeUtf8(text, pos);
    const int script = UnicodeScriptOf(c.cp);
    if (script != kAnyScript && script != last) {
      if (last != kNone) out.push_back({start, pos});
      start = pos;
      last = script;
    }
    pos += c.len;
  }
  if (last != kNone) out.push_back({start, piece.end});
}

}  // namespace hfd::tok
