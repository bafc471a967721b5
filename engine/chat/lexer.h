// Splits template source into text and code tokens, applying whitespace control the way
// transformers and @huggingface/jinja configure Jinja: trim_blocks and lstrip_blocks on,
// `-` strips all whitespace on its side, `+` keeps it, one trailing newline is dropped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/chat/ast.h"
#include "hfd/status.h"

namespace hfd::chat {

struct Token {
  enum class Type {
    kText,
    kExprOpen,
    kExprClose,
    kStmtOpen,
    kStmtClose,
    kName,
    kString,
    kInt,
    kFloat,
    kOp,
    kEof
  };
  Type type;
  std::string text;  // text, name, decoded string literal, number digits or operator
  SourcePos pos;
};

// Tokenizes a whole template; a syntax error names its line and column.
Result<std::vector<Token>> Tokenize(std::string_view source);

}  // namespace hfd::chat
