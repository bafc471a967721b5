// The template language's built-in filters, tests, methods and global functions.
// All are stateless; they report failures as Status values naming the construct.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/chat/callable.h"
#include "engine/chat/value.h"
#include "hfd/status.h"

namespace hfd::chat {

class Interpreter;

using FilterFn = Result<Value> (*)(Interpreter&, const Value& input, const CallArgs& args);
using TestFn = Result<bool> (*)(Interpreter&, const Value& input, const CallArgs& args);
using MethodFn = Result<Value> (*)(Interpreter&, const Value& self, const CallArgs& args);

// Null when there is no filter / test / method of that name (for that type of value).
FilterFn FindFilter(std::string_view name);
TestFn FindTest(std::string_view name);
MethodFn FindMethod(const Value& self, std::string_view name);

// range, namespace, dict, raise_exception, strftime_now.
void AddGlobals(std::vector<std::pair<std::string, Value>>* vars);

}  // namespace hfd::chat
