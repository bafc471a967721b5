// Small helpers shared by the built-in filters, tests and methods.
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "engine/chat/callable.h"
#include "engine/chat/value.h"
#include "hfd/status.h"

namespace hfd::chat {

// The argument at `index` or named `name`; `dflt` when absent.
inline Value Arg(const CallArgs& args, size_t index, std::string_view name, Value dflt = Value()) {
  const Value* v = args.Get(index, name);
  return v != nullptr ? *v : dflt;
}

// A string argument, or an error naming the function and parameter.
inline Result<std::string> StringArg(const CallArgs& args, size_t index, std::string_view name,
                                     std::string_view fn) {
  const Value* v = args.Get(index, name);
  if (v == nullptr || !v->is_string()) {
    return InvalidArgument(fmt::format("{}() needs a string for '{}'", fn, name));
  }
  return v->as_string();
}

// An integer argument with a default.
inline Result<int64_t> IntArg(const CallArgs& args, size_t index, std::string_view name,
                              int64_t dflt, std::string_view fn) {
  const Value* v = args.Get(index, name);
  if (v == nullptr || v->is_none()) return dflt;
  if (!v->is_number() || v->is_float()) {
    return InvalidArgument(fmt::format("{}() needs an integer for '{}'", fn, name));
  }
  return v->as_int();
}

// Follows a dotted attribute path ("function.name", "0") into dicts and lists.
Value ResolveAttribute(const Value& v, std::string_view path);

}  // namespace hfd::chat
