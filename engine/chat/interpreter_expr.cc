// Expressions: names, literals, attribute and item access, operators and calls.
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "engine/chat/builtins.h"
#include "engine/chat/interpreter.h"
#include "engine/chat/text_util.h"
#include "engine/chat/value_format.h"

namespace hfd::chat {
namespace {

// Python's index normalisation for a sequence of `n` items; false when out of range.
bool NormalizeIndex(int64_t* i, size_t n) {
  if (*i < 0) *i += static_cast<int64_t>(n);
  return *i >= 0 && *i < static_cast<int64_t>(n);
}

// Python's slice.indices(): clamps start/stop for the step's direction.
void SliceBounds(size_t n, const Value& start_v, const Value& stop_v, int64_t step, int64_t* start,
                 int64_t* stop) {
  const int64_t len = static_cast<int64_t>(n);
  auto clamp = [&](const Value& v, int64_t dflt) {
    if (!v.is_number()) return dflt;
    int64_t x = v.as_int();
    if (x < 0) x += len;
    if (step > 0) return std::clamp<int64_t>(x, 0, len);
    return std::clamp<int64_t>(x, -1, len - 1);
  };
  *start = clamp(start_v, step > 0 ? 0 : len - 1);
  *stop = clamp(stop_v, step > 0 ? len : -1);
}

Result<Value> Arith(const std::string& op, const Value& a, const Value& b) {
  const bool as_float = a.is_float() || b.is_float() || op == "/";
  if (op == "**") {
    if (!as_float && b.as_int() >= 0) {
      int64_t base = a.as_int(), exp = b.as_int(), r = 1;
      for (int64_t k = 0; k < exp; ++k) {
        if (__builtin_mul_overflow(r, base, &r)) return InvalidArgument("integer overflow in '**'");
        if (r == 0 || r == 1) break;
      }
      return Value(r);
    }
    return Value(std::pow(a.as_float(), b.as_float()));
  }
  if (as_float) {
    double x = a.as_float(), y = b.as_float();
    if (op == "+") return Value(x + y);
    if (op == "-") return Value(x - y);
    if (op == "*") return Value(x * y);
    if (y == 0.0) return InvalidArgument(fmt::format("division by zero in '{}'", op));
    if (op == "/") return Value(x / y);
    if (op == "//") return Value(std::floor(x / y));
    double m = std::fmod(x, y);
    if (m != 0.0 && ((m < 0) != (y < 0))) m += y;
    return Value(m);
  }
  int64_t x = a.as_int(), y = b.as_int(), r = 0;
  bool overflow = false;
  if (op == "+") {
    overflow = __builtin_add_overflow(x, y, &r);
  } else if (op == "-") {
    overflow = __builtin_sub_overflow(x, y, &r);
  } else if (op == "*") {
    overflow = __builtin_mul_overflow(x, y, &r);
  } else {
    if (y == 0) return InvalidArgument(fmt::format("division by zero in '{}'", op));
    if (x == std::numeric_limits<int64_t>::min() && y == -1) {
      return InvalidArgument(fmt::format("integer overflow in '{}'", op));
    }
    int64_t q = x / y, m = x % y;
    if (m != 0 && ((m < 0) != (y < 0))) {
      --q;
      m += y;
    }
    r = op == "//" ? q : m;
  }
  if (overflow) return InvalidArgument(fmt::format("integer overflow in '{}'", op));
  return Value(r);
}

// Python ordering for <, >, <=, >=: numbers, strings and lists.
Result<int> Order(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) {
      double x = a.as_float(), y = b.as_float();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int() ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) {
    int c = a.as_string().compare(b.as_string());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (a.is_list() && b.is_list()) {
    const auto& x = a.as_list();
    const auto& y = b.as_list();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (Equal(x[i], y[i])) continue;
      return Order(x[i], y[i]);
    }
    return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
  }
  return InvalidArgument(fmt::format("cannot compare {} with {}", a.TypeName(), b.TypeName()));
}

Result<bool> Contains(const Value& container, const Value& item) {
  if (container.is_string()) {
    if (!item.is_string()) {
      return InvalidArgument(fmt::format("'in <string>' needs a string, not {}", item.TypeName()));
    }
    return container.as_string().find(item.as_string()) != std::string::npos;
  }
  if (container.is_list()) {
    for (const Value& v : container.as_list()) {
      if (Equal(v, item)) return true;
    }
    return false;
  }
  if (container.is_dict()) {
    return item.is_string() && container.as_dict().Find(item.as_string()) != nullptr;
  }
  if (container.is_undefined()) {
    return InvalidArgument(fmt::format("'{}' is undefined", container.undefined_name()));
  }
  return InvalidArgument(
      fmt::format("'in' needs a string, list or dict, not {}", container.TypeName()));
}

}  // namespace

Result<std::vector<Value>> ValuesOf(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kUndefined:
      return std::vector<Value>{};
    case Value::Kind::kList:
      return v.as_list();
    case Value::Kind::kDict: {
      std::vector<Value> keys;
      for (const auto& e : v.as_dict().entries) keys.emplace_back(e.first);
      return keys;
    }
    case Value::Kind::kString: {
      std::vector<Value> chars;
      for (std::string_view cp : CodePoints(v.as_string())) chars.emplace_back(cp);
      return chars;
    }
    default:
      return InvalidArgument(fmt::format("{} is not iterable", v.TypeName()));
  }
}

Result<std::vector<Value>> Interpreter::Iterate(const Value& v, SourcePos pos) {
  auto r = ValuesOf(v);
  if (!r.ok()) return AddPosition(r.status(), pos);
  return r;
}

Result<Value> Interpreter::Eval(const Expr& e) {
  DepthGuard depth(this);
  if (depth.exceeded()) return ErrorAt(e.pos, "expressions nest too deeply");
  HFD_RETURN_IF_ERROR(Charge(1));
  auto r = EvalInner(e);
  if (!r.ok()) return AddPosition(r.status(), e.pos);
  return r;
}

Result<CallArgs> Interpreter::EvalArgs(const Expr& e) {
  CallArgs args;
  for (size_t i = 0; i < e.args.size(); ++i) {
    HFD_ASSIGN_OR_RETURN(Value v, Eval(*e.args[i]));
    if (i < e.kwnames.size() && !e.kwnames[i].empty()) {
      args.keyword.emplace_back(e.kwnames[i], std::move(v));
    } else {
      args.positional.push_back(std::move(v));
    }
  }
  return args;
}

Result<Value> Interpreter::EvalInner(const Expr& e) {
  using K = Expr::Kind;
  switch (e.kind) {
    case K::kLiteral:
      return e.value;
    case K::kName: {
      const Value* v = Lookup(e.name);
      return v != nullptr ? *v : Value::UndefinedNamed(e.name);
    }
    case K::kList:
    case K::kTuple: {
      std::vector<Value> items;
      for (const ExprPtr& a : e.args) {
        HFD_ASSIGN_OR_RETURN(Value v, Eval(*a));
        items.push_back(std::move(v));
      }
      Value list = Value::MakeList(std::move(items));
      HFD_RETURN_IF_ERROR(CheckValueDepth(list));
      return list;
    }
    case K::kDict: {
      auto data = std::make_shared<DictData>();
      for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
        HFD_ASSIGN_OR_RETURN(Value k, Eval(*e.args[i]));
        HFD_ASSIGN_OR_RETURN(Value v, Eval(*e.args[i + 1]));
        if (!k.is_string()) {
          return ErrorAt(e.args[i]->pos,
                         fmt::format("dict keys must be strings, not {}", k.TypeName()));
        }
        data->Set(k.as_string(), std::move(v));
      }
      Value dict(std::move(data));
      HFD_RETURN_IF_ERROR(CheckValueDepth(dict));
      return dict;
    }
    case K::kAttr: {
      HFD_ASSIGN_OR_RETURN(Value obj, Eval(*e.object));
      return EvalAttr(obj, e.name, e.pos);
    }
    case K::kIndex: {
      HFD_ASSIGN_OR_RETURN(Value obj, Eval(*e.object));
      HFD_ASSIGN_OR_RETURN(Value key, Eval(*e.args[0]));
      return EvalIndex(obj, key, e.pos);
    }
    case K::kSlice:
      return EvalSlice(e);
    case K::kCall:
      return EvalCall(e);
    case K::kFilter: {
      HFD_ASSIGN_OR_RETURN(Value input, Eval(*e.object));
      HFD_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(e));
      return ApplyFilter(e.name, input, args);
    }
    case K::kTest: {
      HFD_ASSIGN_OR_RETURN(Value input, Eval(*e.object));
      HFD_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(e));
      HFD_ASSIGN_OR_RETURN(bool r, ApplyTest(e.name, input, args));
      return Value(r != e.negated);
    }
    case K::kUnary: {
      HFD_ASSIGN_OR_RETURN(Value v, Eval(*e.object));
      if (e.name == "not") return Value(!v.Truthy());
      if (!v.is_number()) {
        return InvalidArgument(
            fmt::format("unary '{}' needs a number, not {}", e.name, v.TypeName()));
      }
      if (e.name == "+") return v.is_bool() ? Value(v.as_int()) : v;
      if (v.is_float()) return Value(-v.as_float());
      if (v.as_int() == std::numeric_limits<int64_t>::min()) {
        return InvalidArgument("integer overflow in unary '-'");
      }
      return Value(-v.as_int());
    }
    case K::kBinary: {
      HFD_ASSIGN_OR_RETURN(Value a, Eval(*e.args[0]));
      HFD_ASSIGN_OR_RETURN(Value b, Eval(*e.args[1]));
      return EvalBinary(e.name, a, b, e.pos);
    }
    case K::kCompare:
      return EvalCompare(e);
    case K::kAnd:
    case K::kOr: {
      HFD_ASSIGN_OR_RETURN(Value a, Eval(*e.args[0]));
      if (a.Truthy() == (e.kind == K::kOr)) return a;
      return Eval(*e.args[1]);
    }
    case K::kTernary: {
      HFD_ASSIGN_OR_RETURN(Value c, Eval(*e.args[1]));
      if (c.Truthy()) return Eval(*e.args[0]);
      if (e.args[2]) return Eval(*e.args[2]);
      return Value();
    }
  }
  return Internal("unknown expression kind");
}

Result<Value> Interpreter::EvalAttr(const Value& obj, const std::string& name, SourcePos pos) {
  if (obj.is_dict()) {
    const Value* v = obj.as_dict().Find(name);
    return v != nullptr ? *v : Value::UndefinedNamed(name);
  }
  if (obj.is_undefined()) {
    return InvalidArgument(
        fmt::format("'{}' is undefined, so it has no attribute '{}'", obj.undefined_name(), name));
  }
  return Value::UndefinedNamed(name);
}

Result<Value> Interpreter::EvalIndex(const Value& obj, const Value& key, SourcePos pos) {
  if (obj.is_dict()) {
    if (!key.is_string()) return Value::UndefinedNamed(ToStr(key, 64));
    return EvalAttr(obj, key.as_string(), pos);
  }
  if (obj.is_undefined()) {
    return InvalidArgument(
        fmt::format("'{}' is undefined, so it cannot be indexed", obj.undefined_name()));
  }
  if ((obj.is_list() || obj.is_string()) && key.is_number() && !key.is_float()) {
    int64_t i = key.as_int();
    if (obj.is_list()) {
      if (!NormalizeIndex(&i, obj.as_list().size())) return Value::UndefinedNamed("item");
      return obj.as_list()[static_cast<size_t>(i)];
    }
    std::vector<std::string_view> cps = CodePoints(obj.as_string());
    if (!NormalizeIndex(&i, cps.size())) return Value::UndefinedNamed("item");
    return Value(cps[static_cast<size_t>(i)]);
  }
  return Value::UndefinedNamed(ToStr(key, 64));
}

Result<Value> Interpreter::EvalSlice(const Expr& e) {
  HFD_ASSIGN_OR_RETURN(Value obj, Eval(*e.object));
  Value bounds[3];
  for (int k = 0; k < 3; ++k) {
    if (!e.args[static_cast<size_t>(k)]) continue;
    HFD_ASSIGN_OR_RETURN(bounds[k], Eval(*e.args[static_cast<size_t>(k)]));
    if (!bounds[k].is_none() && !(bounds[k].is_number() && !bounds[k].is_float())) {
      return InvalidArgument("slice bounds must be integers or none");
    }
  }
  int64_t step = bounds[2].is_number() ? bounds[2].as_int() : 1;
  if (step == 0) return InvalidArgument("slice step cannot be zero");
  std::vector<std::string_view> cps;
  size_t n = 0;
  if (obj.is_list()) {
    n = obj.as_list().size();
  } else if (obj.is_string()) {
    cps = CodePoints(obj.as_string());
    n = cps.size();
  } else {
    return InvalidArgument(fmt::format("cannot slice {}", obj.TypeName()));
  }
  int64_t start = 0, stop = 0;
  SliceBounds(n, bounds[0], bounds[1], step, &start, &stop);
  HFD_RETURN_IF_ERROR(Charge(n));
  std::vector<Value> items;
  std::string text;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
    if (obj.is_list()) {
      items.push_back(obj.as_list()[static_cast<size_t>(i)]);
    } else {
      text.append(cps[static_cast<size_t>(i)]);
    }
  }
  if (obj.is_list()) return Value::MakeList(std::move(items));
  return Value(std::move(text));
}

Result<Value> Interpreter::EvalBinary(const std::string& op, const Value& a, const Value& b,
                                      SourcePos pos) {
  if (op == "~") {
    HFD_ASSIGN_OR_RETURN(std::string s, Stringify(a));
    HFD_ASSIGN_OR_RETURN(std::string rhs, Stringify(b));
    s += rhs;
    HFD_RETURN_IF_ERROR(CheckStringSize(s.size()));
    return Value(std::move(s));
  }
  if (op == "+" && a.is_string() && b.is_string()) {
    HFD_RETURN_IF_ERROR(CheckStringSize(a.as_string().size() + b.as_string().size()));
    HFD_RETURN_IF_ERROR(Charge((a.as_string().size() + b.as_string().size()) / 64));
    return Value(a.as_string() + b.as_string());
  }
  if (op == "+" && a.is_list() && b.is_list()) {
    std::vector<Value> items = a.as_list();
    items.insert(items.end(), b.as_list().begin(), b.as_list().end());
    HFD_RETURN_IF_ERROR(Charge(items.size()));
    return Value::MakeList(std::move(items));
  }
  if (op == "*" && ((a.is_string() && b.is_number()) || (a.is_number() && b.is_string()))) {
    const std::string& s = a.is_string() ? a.as_string() : b.as_string();
    int64_t times = std::max<int64_t>(0, a.is_string() ? b.as_int() : a.as_int());
    if (!s.empty() && static_cast<uint64_t>(times) > limits_.max_output_bytes / s.size()) {
      return CheckStringSize(limits_.max_output_bytes + 1);
    }
    HFD_RETURN_IF_ERROR(Charge(s.size() * static_cast<size_t>(times) / 64));
    std::string out;
    for (int64_t k = 0; k < times; ++k) out += s;
    return Value(std::move(out));
  }
  if (a.is_number() && b.is_number()) return Arith(op, a, b);
  auto name = [](const Value& v) {
    return v.is_undefined() ? "undefined '" + v.undefined_name() + "'" : std::string(v.TypeName());
  };
  return InvalidArgument(
      fmt::format("unsupported operand types for '{}': {} and {}", op, name(a), name(b)));
}

Result<Value> Interpreter::EvalCompare(const Expr& e) {
  HFD_ASSIGN_OR_RETURN(Value lhs, Eval(*e.args[0]));
  for (size_t i = 0; i < e.ops.size(); ++i) {
    HFD_ASSIGN_OR_RETURN(Value rhs, Eval(*e.args[i + 1]));
    const std::string& op = e.ops[i];
    bool r = false;
    if (op == "==") {
      r = Equal(lhs, rhs);
    } else if (op == "!=") {
      r = !Equal(lhs, rhs);
    } else if (op == "in" || op == "not in") {
      HFD_ASSIGN_OR_RETURN(bool in, Contains(rhs, lhs));
      r = (op == "in") == in;
    } else {
      HFD_ASSIGN_OR_RETURN(int c, Order(lhs, rhs));
      r = op == "<" ? c < 0 : op == ">" ? c > 0 : op == "<=" ? c <= 0 : c >= 0;
    }
    if (!r) return Value(false);
    lhs = std::move(rhs);
  }
  return Value(true);
}

Result<Value> Interpreter::EvalCall(const Expr& e) {
  const Expr& callee = *e.object;
  if (callee.kind == Expr::Kind::kAttr) {
    HFD_ASSIGN_OR_RETURN(Value self, Eval(*callee.object));
    MethodFn method = FindMethod(self, callee.name);
    if (method != nullptr) {
      HFD_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(e));
      return method(*this, self, args);
    }
    HFD_ASSIGN_OR_RETURN(Value fn, EvalAttr(self, callee.name, callee.pos));
    if (!fn.is_callable()) {
      return InvalidArgument(fmt::format("{} has no method '{}'", self.TypeName(), callee.name));
    }
    HFD_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(e));
    return CallValue(fn, args, nullptr);
  }
  HFD_ASSIGN_OR_RETURN(Value fn, Eval(callee));
  HFD_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(e));
  return CallValue(fn, args, nullptr);
}

Result<Value> Interpreter::ApplyFilter(std::string_view name, const Value& input,
                                       const CallArgs& args) {
  FilterFn f = FindFilter(name);
  if (f == nullptr) return Unsupported(fmt::format("unknown filter '{}'", name));
  auto r = f(*this, input, args);
  if (!r.ok() && !raised_ && r.status().message().rfind("chat template", 0) != 0) {
    return Status(r.status().code(), fmt::format("filter '{}': {}", name, r.status().message()));
  }
  return r;
}

Result<bool> Interpreter::ApplyTest(std::string_view name, const Value& input,
                                    const CallArgs& args) {
  TestFn t = FindTest(name);
  if (t == nullptr) return Unsupported(fmt::format("unknown test '{}'", name));
  return t(*this, input, args);
}

}  // namespace hfd::chat
