// Global functions: range, namespace, dict, raise_exception and strftime_now.
#include <ctime>

#include "engine/chat/builtin_util.h"
#include "engine/chat/builtins.h"
#include "engine/chat/interpreter.h"
#include "engine/chat/value_format.h"

namespace hfd::chat {
namespace {

Result<Value> Range(Interpreter& in, const CallArgs& a) {
  std::vector<int64_t> bounds;
  for (const Value& v : a.positional) {
    if (!v.is_number() || v.is_float()) return InvalidArgument("range() needs integers");
    bounds.push_back(v.as_int());
  }
  if (bounds.empty() || bounds.size() > 3) return InvalidArgument("range() takes 1 to 3 integers");
  int64_t start = bounds.size() == 1 ? 0 : bounds[0];
  int64_t stop = bounds.size() == 1 ? bounds[0] : bounds[1];
  int64_t step = bounds.size() == 3 ? bounds[2] : 1;
  if (step == 0) return InvalidArgument("range() step cannot be zero");
  // Count the items before building them, so the work budget refuses huge ranges.
  __int128 span =
      step > 0 ? static_cast<__int128>(stop) - start : static_cast<__int128>(start) - stop;
  __int128 abs_step = step > 0 ? step : -static_cast<__int128>(step);
  __int128 n = span <= 0 ? 0 : (span + abs_step - 1) / abs_step;
  if (n > in.limits().max_steps) return in.Charge(static_cast<size_t>(in.limits().max_steps) + 1);
  HFD_RETURN_IF_ERROR(in.Charge(static_cast<size_t>(n)));
  std::vector<Value> items;
  items.reserve(static_cast<size_t>(n));
  for (__int128 k = 0; k < n; ++k) items.emplace_back(static_cast<int64_t>(start + k * step));
  return Value::MakeList(std::move(items));
}

Result<std::vector<std::pair<std::string, Value>>> Entries(const CallArgs& a, std::string_view fn) {
  std::vector<std::pair<std::string, Value>> entries;
  if (a.positional.size() > 1 || (a.positional.size() == 1 && !a.positional[0].is_dict())) {
    return InvalidArgument(fmt::format("{}() takes keyword arguments or one dict", fn));
  }
  if (a.positional.size() == 1) entries = a.positional[0].as_dict().entries;
  for (const auto& kw : a.keyword) entries.push_back(kw);
  return entries;
}

Result<Value> Namespace(Interpreter&, const CallArgs& a) {
  HFD_ASSIGN_OR_RETURN(auto entries, Entries(a, "namespace"));
  for (const auto& [k, v] : entries) {
    if (v.MayCycle())
      return InvalidArgument("a namespace attribute cannot hold a namespace or a function");
  }
  return Value::MakeNamespace(std::move(entries));
}

Result<Value> Dict(Interpreter&, const CallArgs& a) {
  HFD_ASSIGN_OR_RETURN(auto entries, Entries(a, "dict"));
  return Value::MakeDict(std::move(entries));
}

Result<Value> RaiseException(Interpreter& in, const CallArgs& a) {
  Value msg = Arg(a, 0, "message", Value("the chat template raised an exception"));
  HFD_ASSIGN_OR_RETURN(std::string text, in.Stringify(msg));
  in.MarkRaised();
  return InvalidArgument(std::move(text));
}

Result<Value> StrftimeNow(Interpreter& in, const CallArgs& a) {
  HFD_ASSIGN_OR_RETURN(std::string format, StringArg(a, 0, "format", "strftime_now"));
  if (format.size() > 256) return InvalidArgument("strftime_now() format is too long");
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[1024];
  size_t n = std::strftime(buf, sizeof(buf), format.c_str(), &tm);
  return Value(std::string(buf, n));
}

Value Builtin(std::string name, Result<Value> (*fn)(Interpreter&, const CallArgs&)) {
  auto c = std::make_shared<Callable>();
  c->name = std::move(name);
  c->builtin = fn;
  return Value(std::shared_ptr<const Callable>(std::move(c)));
}

}  // namespace

void AddGlobals(std::vector<std::pair<std::string, Value>>* vars) {
  vars->emplace_back("range", Builtin("range", Range));
  vars->emplace_back("namespace", Builtin("namespace", Namespace));
  vars->emplace_back("dict", Builtin("dict", Dict));
  vars->emplace_back("raise_exception", Builtin("raise_exception", RaiseException));
  vars->emplace_back("strftime_now", Builtin("strftime_now", StrftimeNow));
}

}  // namespace hfd::chat
