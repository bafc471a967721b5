// Functions callable from a template: built-in globals (range, namespace, ...) and macros
// or call-block callers defined by the template itself.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/chat/ast.h"
#include "engine/chat/value.h"
#include "hfd/status.h"

namespace hfd::chat {

class Interpreter;

// Arguments of one call, in source order.
struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;

  // The argument named `name`, else the positional one at `index`, else null.
  const Value* Get(size_t index, std::string_view name) const;
};

struct Callable {
  std::string name;
  // A built-in: set for globals.
  std::function<Result<Value>(Interpreter&, const CallArgs&)> builtin;
  // A macro or a caller: points into the template's tree, which outlives every render.
  const Stmt* macro = nullptr;
  // For a caller: the scope frame of its call block, so its body sees that block's names.
  int scope = 0;
};

}  // namespace hfd::chat
