#include "engine/tokenizer/normalizer.h"

#include <utf8proc.h>

#include <algorithm>

#include "engine/tokenizer/normal_forms.h"
#include "engine/tokenizer/unicode.h"

namespace hfd::tok {
namespace {

// Calls `f(cp, out)` for each code point of `text`; invalid bytes are copied as they are.
template <typename F>
void MapChars(std::string_view text, std::string& out, F f) {
  out.clear();
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const DecodedChar c = DecodeUtf8(text, pos);
    if (c.cp == kInvalidCodePoint) {
      out.push_back(text[pos]);
    } else {
      f(c.cp, out);
    }
    pos += c.len;
  }
}

void AppendLower(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
  } else if (cp == 0x130) {
    // The one full lowercase mapping of several characters (SpecialCasing.txt): İ -> i̇.
    out.append("i\xCC\x87");
  } else {
    AppendUtf8(static_cast<uint32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp))), out);
  }
}

utf8proc_category_t CategoryOf(uint32_t cp) {
  return utf8proc_category(static_cast<utf8proc_int32_t>(cp));
}

void StripAccents(std::string_view text, std::string& inner, std::string& out) {
  ToNormalForm(text, NormalForm::kNfd, inner);
  MapChars(inner, out, [](uint32_t cp, std::string& o) {
    if (CategoryOf(cp) != UTF8PROC_CATEGORY_MN) AppendUtf8(cp, o);
  });
}

void Lowercase(std::string_view text, std::string& out) { MapChars(text, out, AppendLower); }

// Hugging Face's BertNormalizer: control means "other" (Cc, Cf, Cs, Co, Cn) except the
// three whitespace controls.
bool IsBertControl(uint32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  switch (CategoryOf(cp)) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CN:
      return true;
    default:
      return false;
  }
}

// The CJK ideograph blocks BERT puts spaces around (Hugging Face's ranges, which start
// the fifth extension block at U+2B920).
bool IsChineseChar(uint32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
         (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

void Bert(const BertNormalizerOptions& o, std::string_view text, NormalizerScratch& s,
          std::string& out) {
  // clean_text and chinese_chars are both one pass over the characters.
  MapChars(text, out, [&](uint32_t cp, std::string& dst) {
    if (o.clean_text) {
      if (cp == 0 || cp == 0xFFFD || IsBertControl(cp)) return;
      if (IsWhitespace(cp)) cp = ' ';
    }
    if (o.chinese_chars && IsChineseChar(cp)) {
      dst.push_back(' ');
      AppendUtf8(cp, dst);
      dst.push_back(' ');
      return;
    }
    AppendUtf8(cp, dst);
  });
  if (o.strip_accents) {
    StripAccents(out, s.stage[0], s.stage[1]);
    out.swap(s.stage[1]);
  }
  if (o.lowercase) {
    Lowercase(out, s.stage[1]);
    out.swap(s.stage[1]);
  }
}

// Hugging Face's Nmt normalizer (the NMT rules of sentencepiece's nmt_nfkc, without the
// NFKC): controls that NMT training data should not carry are dropped, and separators that
// are not ASCII spaces (tabs, line breaks, zero-width spaces, BOM, U+FFFD, "▁") become one.
void Nmt(std::string_view text, std::string& out) {
  MapChars(text, out, [](uint32_t cp, std::string& o) {
    if ((cp >= 0x01 && cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || cp == 0x7F ||
        cp == 0x8F || cp == 0x9F) {
      return;
    }
    const bool space = cp == '\t' || cp == '\n' || cp == 0x0C || cp == '\r' || cp == 0x1680 ||
                       (cp >= 0x200B && cp <= 0x200F) || cp == 0x2028 || cp == 0x2029 ||
                       cp == 0x2581 || cp == 0xFEFF || cp == 0xFFFD;
    AppendUtf8(space ? ' ' : cp, o);
  });
}

void Strip(const NormalizerStep& step, std::string_view text, std::string& out) {
  size_t begin = text.size();
  size_t end = 0;
  for (size_t pos = 0; pos < text.size();) {
    const DecodedChar c = DecodeUtf8(text, pos);
    if (c.cp == kInvalidCodePoint || !IsWhitespace(c.cp)) {
      begin = std::min(begin, pos);
      end = pos + c.len;
    }
    pos += c.len;
  }
  if (begin >= end) {
    out.clear();
    return;
  }
  if (!step.strip_left) begin = 0;
  if (!step.strip_right) end = text.size();
  out.assign(text.substr(begin, end - begin));
}

void Replace(const NormalizerStep& step, std::string_view text, NormalizerScratch& s,
             std::string& out) {
  s.matches.clear();
  if (step.regex) {
    if (!step.regex->FindAll(text, s.regex, s.matches).ok()) {
      out.assign(text);
      return;
    }
  } else if (!step.literal.empty()) {
    for (size_t pos = text.find(step.literal); pos != std::string_view::npos;
         pos = text.find(step.literal, pos + step.literal.size())) {
      s.matches.push_back({pos, pos + step.literal.size()});
    }
  }
  out.clear();
  size_t done = 0;
  for (const TextRange& m : s.matches) {
    out.append(text.substr(done, m.begin - done));
    out.append(step.text);
    done = m.end;
  }
  out.append(text.substr(done));
}

}  // namespace

void ApplyNormalizerStep(const NormalizerStep& step, std::string_view text,
                         NormalizerScratch& scratch, std::string& out) {
  switch (step.op) {
    case NormalizerOp::kNfc:
      return ToNormalForm(text, NormalForm::kNfc, out);
    case NormalizerOp::kNfkc:
      return ToNormalForm(text, NormalForm::kNfkc, out);
    case NormalizerOp::kNfd:
      return ToNormalForm(text, NormalForm::kNfd, out);
    case NormalizerOp::kNfkd:
      return ToNormalForm(text, NormalForm::kNfkd, out);
    case NormalizerOp::kLowercase:
      return Lowercase(text, out);
    case NormalizerOp::kStrip:
      return Strip(step, text, out);
    case NormalizerOp::kStripAccents:
      return StripAccents(text, scratch.stage[0], out);
    case NormalizerOp::kReplace:
      return Replace(step, text, scratch, out);
    case NormalizerOp::kPrepend:
      out.clear();
      if (!text.empty()) out.append(step.text);
      out.append(text);
      return;
    case NormalizerOp::kBert:
      return Bert(step.bert, text, scratch, out);
    case NormalizerOp::kPrecompiled:
      out.clear();
      if (step.charsmap) {
        step.charsmap->Normalize(text, out);
      } else {
        out.append(text);
      }
      return;
    case NormalizerOp::kExtraSpaces:
      return RemoveExtraSpaces(text, out);
    case NormalizerOp::kNmt:
      return Nmt(text, out);
  }
}

void Normalizer::Apply(std::string_view text, NormalizerScratch& scratch, std::string& out) const {
  out.assign(text);
  for (const NormalizerStep& step : steps_) {
    ApplyNormalizerStep(step, out, scratch, scratch.buffer);
    out.swap(scratch.buffer);
  }
}

}  // namespace hfd::tok
