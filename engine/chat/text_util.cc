#include "engine/chat/text_util.h"

namespace hfd::chat {
namespace {

bool IsPySpace(std::string_view cp) {
  if (cp.size() == 1) {
    unsigned char c = static_cast<unsigned char>(cp[0]);
    return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  }
  // U+0085, U+00A0, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+1680
  return cp == "\xC2\x85" || cp == "\xC2\xA0" || cp == "\xE1\x9A\x80" ||
         (cp.size() == 3 && cp[0] == '\xE2' && cp[1] == '\x80' &&
          ((static_cast<unsigned char>(cp[2]) >= 0x80 &&
            static_cast<unsigned char>(cp[2]) <= 0x8A) ||
           cp[2] == '\xA8' || cp[2] == '\xA9' || cp[2] == '\xAF')) ||
         cp == "\xE2\x81\x9F" || cp == "\xE3\x80\x80";
}

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

std::vector<std::string_view> CodePoints(std::string_view s) {
  std::vector<std::string_view> out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    if (i + n > s.size()) n = 1;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
        n = 1;
        break;
      }
    }
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

std::string StripText(std::string_view s, const std::string* chars, bool left, bool right) {
  std::vector<std::string_view> cps = CodePoints(s);
  std::vector<std::string_view> set;
  if (chars != nullptr) set = CodePoints(*chars);
  auto strip = [&](std::string_view cp) {
    if (chars == nullptr) return IsPySpace(cp);
    for (std::string_view c : set) {
      if (c == cp) return true;
    }
    return false;
  };
  size_t b = 0, e = cps.size();
  if (left) {
    while (b < e && strip(cps[b])) ++b;
  }
  if (right) {
    while (e > b && strip(cps[e - 1])) --e;
  }
  if (b == e) return {};
  size_t start = static_cast<size_t>(cps[b].data() - s.data());
  size_t end = static_cast<size_t>(cps[e - 1].data() - s.data()) + cps[e - 1].size();
  return std::string(s.substr(start, end - start));
}

std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string TitleCase(std::string_view s) {
  std::string out(s);
  bool prev_letter = false;
  for (char& c : out) {
    bool letter = IsAsciiLetter(c);
    if (letter) {
      c = prev_letter ? AsciiLower(std::string_view(&c, 1))[0]
                      : AsciiUpper(std::string_view(&c, 1))[0];
    }
    prev_letter = letter || (static_cast<unsigned char>(c) >= 0x80);
  }
  return out;
}

std::string Capitalize(std::string_view s) {
  std::string out = AsciiLower(s);
  if (!out.empty()) out[0] = AsciiUpper(out.substr(0, 1))[0];
  return out;
}

std::string ReplaceText(std::string_view s, std::string_view from, std::string_view to,
                        long long count) {
  std::string out;
  if (from.empty()) {
    // Python inserts `to` before every character and at the end.
    std::vector<std::string_view> cps = CodePoints(s);
    long long done = 0;
    for (std::string_view cp : cps) {
      if (count < 0 || done < count) {
        out.append(to);
        ++done;
      }
      out.append(cp);
    }
    if (count < 0 || done < count) out.append(to);
    return out;
  }
  size_t pos = 0;
  long long done = 0;
  while (count < 0 || done < count) {
    size_t hit = s.find(from, pos);
    if (hit == std::string_view::npos) break;
    out.append(s.substr(pos, hit - pos));
    out.append(to);
    pos = hit + from.size();
    ++done;
  }
  out.append(s.substr(pos));
  return out;
}

const char* SharedEscape(unsigned char c) {
  switch (c) {
    case '\\':
      return "\\\\";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    default:
      return nullptr;
  }
}

}  // namespace hfd::chat
