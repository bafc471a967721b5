#include "engine/tokenizer/unicode.h"

#include <algorithm>
#include <array>

namespace hfd::tok {
namespace {

// Expected length of a sequence from its lead byte; 0 for a continuation or invalid lead.
int SequenceLength(uint8_t lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// Valid range of the second byte, which also excludes overlongs, surrogates and > U+10FFFF.
bool SecondByteOk(uint8_t lead, uint8_t b) {
  switch (lead) {
    case 0xE0:
      return b >= 0xA0 && b <= 0xBF;
    case 0xED:
      return b >= 0x80 && b <= 0x9F;
    case 0xF0:
      return b >= 0x90 && b <= 0xBF;
    case 0xF4:
      return b >= 0x80 && b <= 0x8F;
    default:
      return b >= 0x80 && b <= 0xBF;
  }
}

bool IsContinuation(uint8_t b) { return (b & 0xC0) == 0x80; }

constexpr std::array<CharClass, 128> MakeAsciiClasses() {
  std::array<CharClass, 128> t{};
  for (int c = 0; c < 128; ++c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) t[c] = CharClass::kLetter;
    if (c >= '0' && c <= '9') t[c] = CharClass::kNumber;
  }
  return t;
}
constexpr std::array<CharClass, 128> kAsciiClasses = MakeAsciiClasses();

}  // namespace

DecodedChar DecodeUtf8(std::string_view s, size_t pos) {
  const auto lead = static_cast<uint8_t>(s[pos]);
  if (lead < 0x80) return {lead, 1};
  const int len = SequenceLength(lead);
  if (len == 0 || pos + len > s.size()) return {kInvalidCodePoint, 1};
  const auto b1 = static_cast<uint8_t>(s[pos + 1]);
  if (!SecondByteOk(lead, b1)) return {kInvalidCodePoint, 1};
  uint32_t cp = lead & (0xFF >> (len + 1));
  cp = (cp << 6) | (b1 & 0x3F);
  for (int i = 2; i < len; ++i) {
    const auto b = static_cast<uint8_t>(s[pos + i]);
    if (!IsContinuation(b)) return {kInvalidCodePoint, 1};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, len};
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

CharClass ClassOf(uint32_t cp) {
  if (cp < 0x80) return kAsciiClasses[cp];
  const CategoryRange* begin = kCategoryRanges;
  const CategoryRange* end = kCategoryRanges + kCategoryRangeCount;
  const CategoryRange* it =
      std::upper_bound(begin, end, cp, [](uint32_t v, const CategoryRange& r) { return v < r.lo; });
  if (it == begin) return CharClass::kOther;
  --it;
  return cp <= it->hi ? it->cls : CharClass::kOther;
}

bool IsWhitespace(uint32_t cp) {
  // Unicode PropList.txt, White_Space (stable since Unicode 6.3).
  if (cp <= 0x20) return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
  if (cp < 0x85) return false;
  return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t pos = 0; pos < s.size();) {
    const DecodedChar c = DecodeUtf8(s, pos);
    if (c.cp != kInvalidCodePoint) {
      out.append(s.substr(pos, c.len));
      pos += c.len;
      continue;
    }
    // One U+FFFD for the maximal prefix of a sequence that was valid so far (as Rust's
    // from_utf8_lossy and the WHATWG decoder do).
    const auto lead = static_cast<uint8_t>(s[pos]);
    const int len = SequenceLength(lead);
    size_t bad = 1;
    if (len >= 2 && pos + 1 < s.size() && SecondByteOk(lead, static_cast<uint8_t>(s[pos + 1]))) {
      bad = 2;
      while (bad < static_cast<size_t>(len) && pos + bad < s.size() &&
             IsContinuation(static_cast<uint8_t>(s[pos + bad]))) {
        ++bad;
      }
    }
    AppendUtf8(0xFFFD, out);
    pos += bad;
  }
  return out;
}

size_t CompleteUtf8Prefix(std::string_view s) {
  // Look back at most 3 bytes for a lead byte whose sequence is still open.
  const size_t n = s.size();
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    const auto b = static_cast<uint8_t>(s[n - back]);
    if (IsContinuation(b)) continue;
    const int len = SequenceLength(b);
    if (len <= static_cast<int>(back)) return n;
    // The open sequence must be valid so far, else it can never complete: emit it now.
    if (back >= 2 && !SecondByteOk(b, static_cast<uint8_t>(s[n - back + 1]))) return n;
    return n - back;
  }
  return n;
}

}  // namespace hfd::tok
