// Code point ranges of the Unicode general categories the pre-tokenizers need, generated
// from the Unicode Character Database by gen_unicode_tables.py (see that script).
#pragma once

#include <cstdint>

namespace hfd::tok {

// What a pre-tokenizer regex can ask about a code point.
enum class CharClass : uint8_t { kOther = 0, kLetter = 1, kNumber = 2 };

struct CategoryRange {
  uint32_t lo;
  uint32_t hi;  // inclusive
  CharClass cls;
};

// Sorted, disjoint ranges of non-ASCII letters and numbers; everything absent is kOther.
extern const CategoryRange kCategoryRanges[];
extern const int kCategoryRangeCount;

}  // namespace hfd::tok
