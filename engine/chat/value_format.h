// Turning values into text the way Python does: str() for output and `|string`, repr() for
// items inside printed containers, and float formatting shared with `|tojson`.
#pragma once

#include <cstdint>
#include <string>

#include "engine/chat/value.h"

namespace hfd::chat {

// Python's repr(float): shortest round-trip digits, "1.0", "1e+16", "inf", "nan".
std::string FormatFloat(double d);

// Python's str(value): "None", "True", "3", "[1, 'a']", "{'k': 'v'}"; undefined is "".
// Printing a container stops early once the text is longer than `limit` bytes, so callers
// that bound strings must check the size of the result.
void AppendStr(const Value& v, std::string* out, size_t limit = SIZE_MAX);
std::string ToStr(const Value& v, size_t limit = SIZE_MAX);

// Python's repr(value): strings quoted and escaped.
void AppendRepr(const Value& v, std::string* out, size_t limit = SIZE_MAX);

}  // namespace hfd::chat
