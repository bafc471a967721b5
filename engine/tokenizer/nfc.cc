#include "engine/tokenizer/nfc.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/tokenizer/nfc_tables.h"
#include "engine/tokenizer/unicode.h"

namespace hfd::tok {
namespace {

// An invalid input byte travels through as this tag plus the byte.
constexpr uint32_t kRawByteTag = 0x80000000u;

// Hangul syllable arithmetic (Unicode §3.12).
constexpr uint32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr uint32_t kLCount = 19, kVCount = 21, kTCount = 28;
constexpr uint32_t kNCount = kVCount * kTCount, kSCount = kLCount * kNCount;

uint8_t CombiningClassOf(uint32_t cp) {
  const CombiningClass* end = kCombiningClasses + kCombiningClassCount;
  const CombiningClass* it = std::lower_bound(
      kCombiningClasses, end, cp, [](const CombiningClass& c, uint32_t v) { return c.cp < v; });
  return (it != end && it->cp == cp) ? it->ccc : 0;
}

void Decompose(uint32_t cp, std::vector<uint32_t>& out) {
  if (cp >= kSBase && cp < kSBase + kSCount) {
    const uint32_t s = cp - kSBase;
    out.push_back(kLBase + s / kNCount);
    out.push_back(kVBase + (s % kNCount) / kTCount);
    if (s % kTCount != 0) out.push_back(kTBase + s % kTCount);
    return;
  }
  const Decomposition* end = kDecompositions + kDecompositionCount;
  const Decomposition* it = std::lower_bound(
      kDecompositions, end, cp, [](const Decomposition& d, uint32_t v) { return d.cp < v; });
  if (it == end || it->cp != cp) {
    out.push_back(cp);
    return;
  }
  Decompose(it->first, out);
  if (it->second != 0) Decompose(it->second, out);
}

// The primary composite of (first, second), or 0.
uint32_t Compose(uint32_t first, uint32_t second) {
  if (first >= kLBase && first < kLBase + kLCount && second >= kVBase &&
      second < kVBase + kVCount) {
    return kSBase + ((first - kLBase) * kVCount + (second - kVBase)) * kTCount;
  }
  if (first >= kSBase && first < kSBase + kSCount && (first - kSBase) % kTCount == 0 &&
      second > kTBase && second < kTBase + kTCount) {
    return first + (second - kTBase);
  }
  const Composition* end = kCompositions + kCompositionCount;
  const Composition* it = std::lower_bound(
      kCompositions, end, std::pair{first, second}, [](const Composition& c, auto v) {
        return c.first != v.first ? c.first < v.first : c.second < v.second;
      });
  return (it != end && it->first == first && it->second == second) ? it->composite : 0;
}

uint8_t ClassOfElement(uint32_t e) { return (e & kRawByteTag) ? 0 : CombiningClassOf(e); }

// Canonical ordering: stable-sort each run of non-starters by combining class.
void Reorder(std::vector<uint32_t>& cps) {
  for (size_t i = 0; i < cps.size();) {
    if (ClassOfElement(cps[i]) == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < cps.size() && ClassOfElement(cps[j]) != 0) ++j;
    std::stable_sort(cps.begin() + i, cps.begin() + j, [](uint32_t a, uint32_t b) {
      return CombiningClassOf(a) < CombiningClassOf(b);
    });
    i = j;
  }
}

// Canonical composition (Unicode §3.11): each character joins the last starter unless a
// character between them has a combining class of 0 or at least its own.
void ComposeAll(std::vector<uint32_t>& cps) {
  size_t out = 0;
  size_t starter = SIZE_MAX;
  int last_class = -1;  // class of the last character kept after the starter; -1: none
  for (const uint32_t cp : cps) {
    const int cls = ClassOfElement(cp);
    const bool raw = (cp & kRawByteTag) != 0;
    if (starter != SIZE_MAX && !raw && (last_class == -1 || last_class < cls)) {
      if (const uint32_t composite = Compose(cps[starter], cp)) {
        cps[starter] = composite;
        continue;
      }
    }
    if (cls == 0) {
      starter = raw ? SIZE_MAX : out;
      last_class = -1;
    } else {
      last_class = cls;
    }
    cps[out++] = cp;
  }
  cps.resize(out);
}

}  // namespace

bool NeedsNfc(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<uint8_t>(c) >= 0xCC; });
}

std::string ToNfc(std::string_view text) {
  std::vector<uint32_t> cps;
  cps.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const DecodedChar c = DecodeUtf8(text, pos);
    if (c.cp == kInvalidCodePoint) {
      cps.push_back(kRawByteTag | static_cast<uint8_t>(text[pos]));
    } else {
      Decompose(c.cp, cps);
    }
    pos += c.len;
  }
  Reorder(cps);
  ComposeAll(cps);
  std::string out;
  out.reserve(text.size());
  for (uint32_t e : cps) {
    if (e & kRawByteTag) {
      out.push_back(static_cast<char>(e & 0xFF));
    } else {
      AppendUtf8(e, out);
    }
  }
  return out;
}

}  // namespace hfd::tok
