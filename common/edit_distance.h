// How far apart two names are, for "did you mean" suggestions.
#pragma once

#include <cstddef>
#include <string_view>

namespace hfd {

// The Levenshtein distance (insertions, deletions, substitutions of one byte each),
// ignoring ASCII case.
std::size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace hfd
