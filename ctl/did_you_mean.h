// "Did you mean ...?" for mistyped command and flag names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hfd::ctl {

// Edit distance counting insertions, deletions, substitutions and swaps of two
// neighbouring characters (the optimal string alignment distance), bytewise.
std::size_t EditDistance(std::string_view a, std::string_view b);

// The name in `names` that `typed` most likely meant: the only one that starts with it
// (from two characters on), else the nearest by EditDistance when near enough (at most
// one edit for up to 4 typed characters, two up to 8, three beyond; ties go to the
// earlier name).
std::optional<std::string> Nearest(std::string_view typed, const std::vector<std::string>& names);

}  // namespace hfd::ctl
