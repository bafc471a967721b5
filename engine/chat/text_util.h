// UTF-8 aware string helpers with Python's meaning, for filters and string methods.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hfd::chat {

// The string split into code points (each a view into `s`); invalid bytes stand alone.
std::vector<std::string_view> CodePoints(std::string_view s);

// Python's str.strip / lstrip / rstrip: `chars` null strips whitespace.
std::string StripText(std::string_view s, const std::string* chars, bool left, bool right);

std::string AsciiUpper(std::string_view s);
std::string AsciiLower(std::string_view s);
// Python's str.title(): upper-case the first letter of each run of letters.
std::string TitleCase(std::string_view s);
// Python's str.capitalize(): first character upper, the rest lower.
std::string Capitalize(std::string_view s);
// Python's str.replace with an optional count (negative: all).
std::string ReplaceText(std::string_view s, std::string_view from, std::string_view to,
                        long long count);

// The backslash escape JSON and Python string literals both use for `c` (backslash,
// newline, carriage return, tab), or null when `c` needs another treatment.
const char* SharedEscape(unsigned char c);

}  // namespace hfd::chat
