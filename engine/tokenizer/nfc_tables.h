// Unicode data for NFC normalization, generated from the Unicode Character Database by
// gen_unicode_tables.py (see that script). Hangul syllables are handled by arithmetic.
#pragma once

#include <cstdint>

namespace hfd::tok {

struct CombiningClass {
  uint32_t cp;
  uint8_t ccc;  // canonical combining class, non-zero
};

struct Decomposition {
  uint32_t cp;
  uint32_t first;
  uint32_t second;  // 0 for a singleton decomposition
};

struct Composition {
  uint32_t first;
  uint32_t second;
  uint32_t composite;
};

// All sorted by their first field(s).
extern const CombiningClass kCombiningClasses[];
extern const int kCombiningClassCount;
extern const Decomposition kDecompositions[];
extern const int kDecompositionCount;
extern const Composition kCompositions[];
extern const int kCompositionCount;

}  // namespace hfd::tok
