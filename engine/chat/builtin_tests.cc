// Tests: `value is name(args)`.
#include <unordered_map>

#include "engine/chat/builtin_util.h"
#include "engine/chat/builtins.h"
#include "engine/chat/interpreter.h"
#include "engine/chat/text_util.h"

namespace hfd::chat {
namespace {

Result<Value> Operand(const CallArgs& a, std::string_view test) {
  const Value* v = a.Get(0, "value");
  if (v == nullptr) return InvalidArgument(fmt::format("test '{}' needs an argument", test));
  return *v;
}

Result<bool> Defined(Interpreter&, const Value& v, const CallArgs&) { return !v.is_undefined(); }
Result<bool> Undef(Interpreter&, const Value& v, const CallArgs&) { return v.is_undefined(); }
Result<bool> IsNone(Interpreter&, const Value& v, const CallArgs&) { return v.is_none(); }
Result<bool> IsString(Interpreter&, const Value& v, const CallArgs&) { return v.is_string(); }
Result<bool> IsNumber(Interpreter&, const Value& v, const CallArgs&) { return v.is_number(); }
Result<bool> IsInteger(Interpreter&, const Value& v, const CallArgs&) { return v.is_int(); }
Result<bool> IsFloat(Interpreter&, const Value& v, const CallArgs&) { return v.is_float(); }
Result<bool> IsBoolean(Interpreter&, const Value& v, const CallArgs&) { return v.is_bool(); }
Result<bool> IsTrue(Interpreter&, const Value& v, const CallArgs&) {
  return v.is_bool() && v.as_bool();
}
Result<bool> IsFalse(Interpreter&, const Value& v, const CallArgs&) {
  return v.is_bool() && !v.as_bool();
}
Result<bool> IsCallable(Interpreter&, const Value& v, const CallArgs&) { return v.is_callable(); }
Result<bool> IsMapping(Interpreter&, const Value& v, const CallArgs&) {
  return v.is_dict() && !v.as_dict().is_namespace;
}
// As in Python Jinja, undefined is iterable (as empty) and a sequence.
Result<bool> IsIterable(Interpreter&, const Value& v, const CallArgs&) {
  return v.is_string() || v.is_list() || v.is_dict() || v.is_undefined();
}
Result<bool> IsSequence(Interpreter&, const Value& v, const CallArgs&) {
  return v.is_string() || v.is_list() || v.is_dict() || v.is_undefined();
}

Result<bool> Eq(Interpreter&, const Value& v, const CallArgs& a) {
  HFD_ASSIGN_OR_RETURN(Value other, Operand(a, "equalto"));
  return Equal(v, other);
}
Result<bool> Ne(Interpreter& in, const Value& v, const CallArgs& a) {
  HFD_ASSIGN_OR_RETURN(bool eq, Eq(in, v, a));
  return !eq;
}

// <, >, <=, >= through the same comparison the operators use.
Result<bool> Compare(Interpreter& in, const Value& v, const CallArgs& a, std::string_view op) {
  HFD_ASSIGN_OR_RETURN(Value other, Operand(a, op));
  if (v.is_number() && other.is_number()) {
    double x = v.as_float(), y = other.as_float();
    return op == "<" ? x < y : op == ">" ? x > y : op == "<=" ? x <= y : x >= y;
  }
  if (v.is_string() && other.is_string()) {
    int c = v.as_string().compare(other.as_string());
    return op == "<" ? c < 0 : op == ">" ? c > 0 : op == "<=" ? c <= 0 : c >= 0;
  }
  return InvalidArgument(fmt::format("cannot compare {} with {}", v.TypeName(), other.TypeName()));
}
Result<bool> Lt(Interpreter& in, const Value& v, const CallArgs& a) {
  return Compare(in, v, a, "<");
}
Result<bool> Gt(Interpreter& in, const Value& v, const CallArgs& a) {
  return Compare(in, v, a, ">");
}
Result<bool> Le(Interpreter& in, const Value& v, const CallArgs& a) {
  return Compare(in, v, a, "<=");
}
Result<bool> Ge(Interpreter& in, const Value& v, const CallArgs& a) {
  return Compare(in, v, a, ">=");
}

Result<bool> In(Interpreter&, const Value& v, const CallArgs& a) {
  HFD_ASSIGN_OR_RETURN(Value seq, Operand(a, "in"));
  if (seq.is_string())
    return v.is_string() && seq.as_string().find(v.as_string()) != std::string::npos;
  if (seq.is_dict()) return v.is_string() && seq.as_dict().Find(v.as_string()) != nullptr;
  if (seq.is_list()) {
    for (const Value& x : seq.as_list()) {
      if (Equal(x, v)) return true;
    }
    return false;
  }
  return InvalidArgument(
      fmt::format("test 'in' needs a string, list or dict, not {}", seq.TypeName()));
}

Result<bool> Parity(const Value& v, int remainder) {
  if (!v.is_int())
    return InvalidArgument(fmt::format("odd/even need an integer, not {}", v.TypeName()));
  return (v.as_int() % 2 != 0) == (remainder != 0);
}
Result<bool> Odd(Interpreter&, const Value& v, const CallArgs&) { return Parity(v, 1); }
Result<bool> Even(Interpreter&, const Value& v, const CallArgs&) { return Parity(v, 0); }

Result<bool> DivisibleBy(Interpreter&, const Value& v, const CallArgs& a) {
  HFD_ASSIGN_OR_RETURN(Value n, Operand(a, "divisibleby"));
  if (!v.is_int() || !n.is_int() || n.as_int() == 0) {
    return InvalidArgument("divisibleby needs integers and a non-zero divisor");
  }
  if (n.as_int() == -1) return true;
  return v.as_int() % n.as_int() == 0;
}

Result<bool> Lowercase(Interpreter&, const Value& v, const CallArgs&) {
  return v.is_string() && AsciiLower(v.as_string()) == v.as_string();
}
Result<bool> Uppercase(Interpreter&, const Value& v, const CallArgs&) {
  return v.is_string() && AsciiUpper(v.as_string()) == v.as_string();
}

Result<bool> SameAs(Interpreter&, const Value& v, const CallArgs& a) {
  HFD_ASSIGN_OR_RETURN(Value other, Operand(a, "sameas"));
  if (v.identity() != nullptr || other.identity() != nullptr)
    return v.identity() == other.identity();
  return v.kind() == other.kind() && Equal(v, other);
}

const std::unordered_map<std::string_view, TestFn>& Tests() {
  static const auto* tests = new std::unordered_map<std::string_view, TestFn>{
      {"defined", Defined},
      {"undefined", Undef},
      {"none", IsNone},
      {"string", IsString},
      {"number", IsNumber},
      {"integer", IsInteger},
      {"float", IsFloat},
      {"boolean", IsBoolean},
      {"true", IsTrue},
      {"false", IsFalse},
      {"callable", IsCallable},
      {"mapping", IsMapping},
      {"iterable", IsIterable},
      {"sequence", IsSequence},
      {"equalto", Eq},
      {"eq", Eq},
      {"==", Eq},
      {"ne", Ne},
      {"!=", Ne},
      {"lt", Lt},
      {"lessthan", Lt},
      {"<", Lt},
      {"gt", Gt},
      {"greaterthan", Gt},
      {">", Gt},
      {"le", Le},
      {"<=", Le},
      {"ge", Ge},
      {">=", Ge},
      {"in", In},
      {"odd", Odd},
      {"even", Even},
      {"divisibleby", DivisibleBy},
      {"lower", Lowercase},
      {"upper", Uppercase},
      {"sameas", SameAs},
  };
  return *tests;
}

}  // namespace

TestFn FindTest(std::string_view name) {
  auto it = Tests().find(name);
  return it == Tests().end() ? nullptr : it->second;
}

}  // namespace hfd::chat
