// Builds the syntax tree from tokens: recursive descent following Jinja's grammar and
// operator precedence. Nesting is bounded so a hostile template cannot exhaust the stack.
#pragma once

#include <string_view>

#include "engine/chat/ast.h"
#include "hfd/status.h"

namespace hfd::chat {

// The deepest nesting of statements or expressions a template may use.
inline constexpr int kMaxParseDepth = 64;

// Parses a whole template; errors name the line and column.
Result<Body> ParseTemplate(std::string_view source);

}  // namespace hfd::chat
