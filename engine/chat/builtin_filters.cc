// Filters: `value | name(args)`, with Jinja's (and transformers') meanings.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

#include "engine/chat/builtin_util.h"
#include "engine/chat/builtins.h"
#include "engine/chat/interpreter.h"
#include "engine/chat/json_bridge.h"
#include "engine/chat/text_util.h"
#include "engine/chat/value_format.h"

namespace hfd::chat {

Value ResolveAttribute(const Value& v, std::string_view path) {
  Value cur = v;
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string_view part = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    if (cur.is_dict()) {
      const Value* next = cur.as_dict().Find(part);
      if (next == nullptr) return Value::UndefinedNamed(std::string(part));
      cur = *next;
    } else if (cur.is_list()) {
      int64_t i = 0;
      auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), i);
      if (ec != std::errc() || i < 0 || static_cast<size_t>(i) >= cur.as_list().size()) {
        return Value::UndefinedNamed(std::string(part));
      }
      cur = cur.as_list()[static_cast<size_t>(i)];
    } else {
      return Value::UndefinedNamed(std::string(part));
    }
  }
  return cur;
}

namespace {

Result<std::vector<Value>> Items(Interpreter& in, const Value& v) {
  HFD_ASSIGN_OR_RETURN(std::vector<Value> items, ValuesOf(v));
  HFD_RETURN_IF_ERROR(in.Charge(items.size()));
  return items;
}

Result<Value> StringResult(Interpreter& in, std::string s) {
  HFD_RETURN_IF_ERROR(in.CheckStringSize(s.size()));
  HFD_RETURN_IF_ERROR(in.Charge(s.size() / 64));
  return Value(std::move(s));
}

Result<Value> Trim(Interpreter& in, const Value& v, const CallArgs& a) {
  Value chars = Arg(a, 0, "chars");
  HFD_ASSIGN_OR_RETURN(std::string s, in.Stringify(v));
  return Value(StripText(s, chars.is_string() ? &chars.as_string() : nullptr, true, true));
}

Result<Value> ToJson(Interpreter& in, const Value& v, const CallArgs& a) {
  JsonFormat f;
  HFD_ASSIGN_OR_RETURN(int64_t indent, IntArg(a, 0, "indent", -1, "tojson"));
  if (indent > 64) return InvalidArgument("tojson() indent is larger than 64");
  f.indent = static_cast<int>(indent);
  f.sort_keys = Arg(a, 99, "sort_keys").Truthy();
  f.ensure_ascii = Arg(a, 99, "ensure_ascii").Truthy();
  Value seps = Arg(a, 99, "separators");
  if (seps.is_list() && seps.as_list().size() == 2 && seps.as_list()[0].is_string() &&
      seps.as_list()[1].is_string()) {
    f.item_separator = seps.as_list()[0].as_string();
    f.key_separator = seps.as_list()[1].as_string();
  }
  f.max_bytes = in.limits().max_output_bytes;
  HFD_ASSIGN_OR_RETURN(std::string text, ToJsonText(v, f));
  return StringResult(in, std::move(text));
}

Result<Value> Length(Interpreter& in, const Value& v, const CallArgs&) {
  if (v.is_string()) return Value(static_cast<int64_t>(CodePoints(v.as_string()).size()));
  if (v.is_list()) return Value(static_cast<int64_t>(v.as_list().size()));
  if (v.is_dict()) return Value(static_cast<int64_t>(v.as_dict().entries.size()));
  if (v.is_undefined()) return Value(0);
  return InvalidArgument(fmt::format("{} has no length", v.TypeName()));
}

// upper, lower, title, capitalize: str(value) transformed.
template <std::string (*Transform)(std::string_view)>
Result<Value> TextFilter(Interpreter& in, const Value& v, const CallArgs&) {
  HFD_ASSIGN_OR_RETURN(std::string s, in.Stringify(v));
  return Value(Transform(s));
}
Result<Value> String(Interpreter& in, const Value& v, const CallArgs&) {
  HFD_ASSIGN_OR_RETURN(std::string s, in.Stringify(v));
  return Value(std::move(s));
}
Result<Value> Identity(Interpreter&, const Value& v, const CallArgs&) { return v; }

Result<Value> Replace(Interpreter& in, const Value& v, const CallArgs& a) {
  HFD_ASSIGN_OR_RETURN(std::string from, StringArg(a, 0, "old", "replace"));
  HFD_ASSIGN_OR_RETURN(std::string to, StringArg(a, 1, "new", "replace"));
  HFD_ASSIGN_OR_RETURN(int64_t count, IntArg(a, 2, "count", -1, "replace"));
  HFD_ASSIGN_OR_RETURN(std::string s, in.Stringify(v));
  size_t cps = from.empty() ? CodePoints(s).size() + 1 : s.size() / from.size();
  if (s.size() + cps * to.size() > in.limits().max_output_bytes) {
    // Only an upper bound; compute exactly before refusing.
    size_t hits = from.empty() ? cps : 0;
    for (size_t p = 0; !from.empty() && (p = s.find(from, p)) != std::string::npos;
         p += from.size())
      ++hits;
    HFD_RETURN_IF_ERROR(in.CheckStringSize(s.size() + hits * to.size()));
  }
  return StringResult(in, ReplaceText(s, from, to, count));
}

Result<Value> Join(Interpreter& in, const Value& v, const CallArgs& a) {
  Value sep = Arg(a, 0, "d", Value(""));
  Value attr = Arg(a, 1, "attribute");
  HFD_ASSIGN_OR_RETURN(std::vector<Value> items, Items(in, v));
  HFD_ASSIGN_OR_RETURN(std::string separator, in.Stringify(sep));
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    HFD_ASSIGN_OR_RETURN(
        std::string item,
        in.Stringify(attr.is_string() ? ResolveAttribute(items[i], attr.as_string()) : items[i]));
    out += item;
    HFD_RETURN_IF_ERROR(in.CheckStringSize(out.size()));
  }
  return StringResult(in, std::move(out));
}

Result<Value> Default(Interpreter&, const Value& v, const CallArgs& a) {
  bool boolean = Arg(a, 1, "boolean").Truthy();
  if (v.is_undefined() || (boolean && !v.Truthy())) return Arg(a, 0, "default_value", Value(""));
  return v;
}

Result<Value> FirstOrLast(Interpreter& in, const Value& v, bool first) {
  HFD_ASSIGN_OR_RETURN(std::vector<Value> items, Items(in, v));
  if (items.empty()) return Value::UndefinedNamed(first ? "first" : "last");
  return first ? items.front() : items.back();
}
Result<Value> First(Interpreter& in, const Value& v, const CallArgs&) {
  return FirstOrLast(in, v, true);
}
Result<Value> Last(Interpreter& in, const Value& v, const CallArgs&) {
  return FirstOrLast(in, v, false);
}

Result<Value> List(Interpreter& in, const Value& v, const CallArgs&) {
  HFD_ASSIGN_OR_RETURN(std::vector<Value> items, Items(in, v));
  return Value::MakeList(std::move(items));
}

Result<Value> Reverse(Interpreter& in, const Value& v, const CallArgs&) {
  if (v.is_string()) {
    std::vector<std::string_view> cps = CodePoints(v.as_string());
    std::string out;
    for (auto it = cps.rbegin(); it != cps.rend(); ++it) out.append(*it);
    return Value(std::move(out));
  }
  HFD_ASSIGN_OR_RETURN(std::vector<Value> items, Items(in, v));
  std::reverse(items.begin(), items.end());
  return Value::MakeList(std::move(items));
}

// map(attribute='x', default=d) or map('filter', args...)
Result<Value> Map(Interpreter& in, const Value& v, const CallArgs& a) {
  HFD_ASSIGN_OR_RETURN(std::vector<Value> items, Items(in, v));
  Value attr = Arg(a, 99, "attribute");
  std::vector<Value> out;
  if (attr.is_string()) {
    Value dflt = Arg(a, 99, "default");
    for (const Value& item : items) {
      Value r = ResolveAttribute(item, attr.as_string());
      out.push_back(r.is_undefined() && !dflt.is_undefined() ? dflt : r);
    }
    return Value::MakeList(std::move(out));
  }
  if (a.positional.empty() || !a.positional[0].is_string()) {
    return InvalidArgument("map() needs a filter name or attribute=");
  }
  CallArgs rest;
  rest.positional.assign(a.positional.begin() + 1, a.positional.end());
  rest.keyword = a.keyword;
  for (const Value& item : items) {
    HFD_ASSIGN_OR_RETURN(Value r, in.ApplyFilter(a.positional[0].as_string(), item, rest));
    out.push_back(std::move(r));
  }
  return Value::MakeList(std::move(out));
}

// select/reject(test, args...) and selectattr/rejectattr(attr, test, args...).
Result<Value> Select(Interpreter& in, const Value& v, const CallArgs& a, bool by_attr, bool keep) {
  HFD_ASSIGN_OR_RETURN(std::vector<Value> items, Items(in, v));
  size_t next = 0;
  std::string attr;
  if (by_attr) {
    if (a.positional.empty() || !a.positional[0].is_string()) {
      return InvalidArgument("selectattr()/rejectattr() need an attribute name");
    }
    attr = a.positional[0].as_string();
    next = 1;
  }
  std::string test;
  if (next < a.positional.size()) {
    if (!a.positional[next].is_string()) return InvalidArgument("the test name must be a string");
    test = a.positional[next].as_string();
    ++next;
  }
  CallArgs test_args;
  test_args.positional.assign(
      a.positional.begin() + static_cast<long>(std::min(next, a.positional.size())),
      a.positional.end());
  std::vector<Value> out;
  for (const Value& item : items) {
    Value subject = by_attr ? ResolveAttribute(item, attr) : item;
    bool pass = subject.Truthy();
    if (!test.empty()) {
      HFD_ASSIGN_OR_RETURN(pass, in.ApplyTest(test, subject, test_args));
    }
    if (pass == keep) out.push_back(item);
  }
  return Value::MakeList(std::move(out));
}
Result<Value> SelectF(Interpreter& in, const Value& v, const CallArgs& a) {
  return Select(in, v, a, false, true);
}
Result<Value> RejectF(Interpreter& in, const Value& v, const CallArgs& a) {
  return Select(in, v, a, false, false);
}
Result<Value> SelectAttr(Interpreter& in, const Value& v, const CallArgs& a) {
  return Select(in, v, a, true, true);
}
Result<Value> RejectAttr(Interpreter& in, const Value& v, const CallArgs& a) {
  return Select(in, v, a, true, false);
}

Result<Value> Int(Interpreter&, const Value& v, const CallArgs& a) {
  Value dflt = Arg(a, 0, "default", Value(0));
  if (v.is_number())
    return v.is_float() ? Value(static_cast<int64_t>(std::trunc(v.as_float()))) : Value(v.as_int());
  if (!v.is_string()) return dflt;
  std::string s = StripText(v.as_string(), nullptr, true, true);
  int64_t i = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
  if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return Value(i);
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(d) && std::fabs(d) < 9.2e18) {
    return Value(static_cast<int64_t>(std::trunc(d)));
  }
  return dflt;
}

Result<Value> Float(Interpreter&, const Value& v, const CallArgs& a) {
  Value dflt = Arg(a, 0, "default", Value(0.0));
  if (v.is_number()) return Value(v.as_float());
  if (!v.is_string()) return dflt;
  std::string s = StripText(v.as_string(), nullptr, true, true);
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (!s.empty() && end == s.c_str() + s.size()) return Value(d);
  return dflt;
}

Result<Value> Abs(Interpreter&, const Value& v, const CallArgs&) {
  if (v.is_float()) return Value(std::fabs(v.as_float()));
  if (v.is_number()) {
    if (v.as_int() == INT64_MIN) return InvalidArgument("integer overflow");
    return Value(v.as_int() < 0 ? -v.as_int() : v.as_int());
  }
  return InvalidArgument(fmt::format("abs() needs a number, not {}", v.TypeName()));
}

Result<Value> Round(Interpreter&, const Value& v, const CallArgs& a) {
  if (!v.is_number())
    return InvalidArgument(fmt::format("round() needs a number, not {}", v.TypeName()));
  HFD_ASSIGN_OR_RETURN(int64_t precision, IntArg(a, 0, "precision", 0, "round"));
  Value method = Arg(a, 1, "method", Value("common"));
  precision = std::clamp<int64_t>(precision, -300, 300);
  double scale = std::pow(10.0, static_cast<double>(precision));
  double x = v.as_float() * scale;
  std::string m = ToStr(method, 16);
  if (m == "ceil") {
    x = std::ceil(x);
  } else if (m == "floor") {
    x = std::floor(x);
  } else if (m == "common") {
    x = std::round(x);
  } else {
    return InvalidArgument("round() method must be 'common', 'ceil' or 'floor'");
  }
  return Value(x / scale);
}

Result<Value> ItemsF(Interpreter& in, const Value& v, const CallArgs&) {
  if (v.is_undefined()) return Value::MakeList({});
  if (!v.is_dict())
    return InvalidArgument(fmt::format("items() needs a dict, not {}", v.TypeName()));
  HFD_RETURN_IF_ERROR(in.Charge(v.as_dict().entries.size()));
  std::vector<Value> out;
  for (const auto& [k, val] : v.as_dict().entries) out.push_back(Value::MakeList({Value(k), val}));
  return Value::MakeList(std::move(out));
}

// A sort key comparison used by dictsort, sort and unique: strings case-insensitively unless
// asked otherwise.
Result<bool> Less(const Value& a, const Value& b, bool case_sensitive) {
  if (a.is_string() && b.is_string() && !case_sensitive) {
    return AsciiLower(a.as_string()) < AsciiLower(b.as_string());
  }
  if (a.is_string() && b.is_string()) return a.as_string() < b.as_string();
  if (a.is_number() && b.is_number()) return a.as_float() < b.as_float();
  return InvalidArgument(fmt::format("cannot sort {} with {}", a.TypeName(), b.TypeName()));
}

// Sorts `items` by `key(item)`; fails (without sorting) on incomparable keys.
template <typename Key>
Status SortBy(std::vector<Value>* items, Key key, bool case_sensitive, bool reverse) {
  Status error;
  std::stable_sort(items->begin(), items->end(), [&](const Value& x, const Value& y) {
    if (!error.ok()) return false;
    auto r = reverse ? Less(key(y), key(x), case_sensitive) : Less(key(x), key(y), case_sensitive);
    if (!r.ok()) {
      error = r.status();
      return false;
    }
    return *r;
  });
  return error;
}

Result<Value> DictSort(Interpreter& in, const Value& v, const CallArgs& a) {
  HFD_ASSIGN_OR_RETURN(Value pairs, ItemsF(in, v, a));
  std::vector<Value> items = pairs.as_list();
  bool by_value = ToStr(Arg(a, 1, "by", Value("key")), 16) == "value";
  HFD_RETURN_IF_ERROR(SortBy(
      &items, [&](const Value& p) { return p.as_list()[by_value ? 1 : 0]; },
      Arg(a, 0, "case_sensitive").Truthy(), Arg(a, 2, "reverse").Truthy()));
  return Value::MakeList(std::move(items));
}

Result<Value> Sort(Interpreter& in, const Value& v, const CallArgs& a) {
  HFD_ASSIGN_OR_RETURN(std::vector<Value> items, Items(in, v));
  Value attr = Arg(a, 2, "attribute");
  HFD_RETURN_IF_ERROR(SortBy(
      &items,
      [&](const Value& x) { return attr.is_string() ? ResolveAttribute(x, attr.as_string()) : x; },
      Arg(a, 1, "case_sensitive").Truthy(), Arg(a, 0, "reverse").Truthy()));
  return Value::MakeList(std::move(items));
}

Result<Value> Unique(Interpreter& in, const Value& v, const CallArgs& a) {
  HFD_ASSIGN_OR_RETURN(std::vector<Value> items, Items(in, v));
  bool case_sensitive = Arg(a, 0, "case_sensitive").Truthy();
  Value attr = Arg(a, 1, "attribute");
  std::vector<Value> out, seen;
  HFD_RETURN_IF_ERROR(in.Charge(items.size() * items.size() / 16));
  for (const Value& item : items) {
    Value key = attr.is_string() ? ResolveAttribute(item, attr.as_string()) : item;
    if (key.is_string() && !case_sensitive) key = Value(AsciiLower(key.as_string()));
    bool dup = std::any_of(seen.begin(), seen.end(), [&](const Value& s) { return Equal(s, key); });
    if (dup) continue;
    seen.push_back(key);
    out.push_back(item);
  }
  return Value::MakeList(std::move(out));
}

Result<Value> Indent(Interpreter& in, const Value& v, const CallArgs& a) {
  Value width = Arg(a, 0, "width", Value(4));
  std::string pad = width.is_string()
                        ? width.as_string()
                        : std::string(static_cast<size_t>(std::clamp<int64_t>(
                                          width.is_number() ? width.as_int() : 4, 0, 256)),
                                      ' ');
  bool first = Arg(a, 1, "first").Truthy();
  bool blank = Arg(a, 2, "blank").Truthy();
  HFD_ASSIGN_OR_RETURN(std::string s, in.Stringify(v));
  std::string out;
  size_t start = 0;
  bool is_first = true;
  while (start <= s.size()) {
    size_t nl = s.find('\n', start);
    std::string_view line =
        std::string_view(s).substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if ((!is_first || first) && (blank || !line.empty())) out += pad;
    out += line;
    HFD_RETURN_IF_ERROR(in.CheckStringSize(out.size()));
    if (nl == std::string::npos) break;
    out += '\n';
    start = nl + 1;
    is_first = false;
  }
  return StringResult(in, std::move(out));
}

Result<Value> Batch(Interpreter& in, const Value& v, const CallArgs& a) {
  HFD_ASSIGN_OR_RETURN(int64_t n, IntArg(a, 0, "linecount", 1, "batch"));
  if (n <= 0) return InvalidArgument("batch() needs a positive size");
  Value fill = Arg(a, 1, "fill_with");
  HFD_ASSIGN_OR_RETURN(std::vector<Value> items, Items(in, v));
  std::vector<Value> out, cur;
  for (Value& item : items) {
    cur.push_back(std::move(item));
    if (static_cast<int64_t>(cur.size()) == n)
      out.push_back(Value::MakeList(std::exchange(cur, {})));
  }
  if (!cur.empty()) {
    while (!fill.is_undefined() && static_cast<int64_t>(cur.size()) < n) cur.push_back(fill);
    out.push_back(Value::MakeList(std::move(cur)));
  }
  return Value::MakeList(std::move(out));
}

Result<Value> Sum(Interpreter& in, const Value& v, const CallArgs& a) {
  HFD_ASSIGN_OR_RETURN(std::vector<Value> items, Items(in, v));
  Value attr = Arg(a, 0, "attribute");
  Value total = Arg(a, 1, "start", Value(0));
  for (const Value& item : items) {
    Value x = attr.is_string() ? ResolveAttribute(item, attr.as_string()) : item;
    if (!x.is_number() || !total.is_number()) return InvalidArgument("sum() needs numbers");
    if (x.is_float() || total.is_float()) {
      total = Value(total.as_float() + x.as_float());
    } else {
      int64_t r = 0;
      if (__builtin_add_overflow(total.as_int(), x.as_int(), &r))
        return InvalidArgument("integer overflow");
      total = Value(r);
    }
  }
  return total;
}

Result<Value> MinMax(Interpreter& in, const Value& v, const CallArgs& a, bool want_max) {
  HFD_ASSIGN_OR_RETURN(std::vector<Value> items, Items(in, v));
  if (items.empty()) return Value::UndefinedNamed(want_max ? "max" : "min");
  bool case_sensitive = Arg(a, 0, "case_sensitive").Truthy();
  Value best = items[0];
  for (size_t i = 1; i < items.size(); ++i) {
    HFD_ASSIGN_OR_RETURN(bool less, want_max ? Less(best, items[i], case_sensitive)
                                             : Less(items[i], best, case_sensitive));
    if (less) best = items[i];
  }
  return best;
}
Result<Value> Min(Interpreter& in, const Value& v, const CallArgs& a) {
  return MinMax(in, v, a, false);
}
Result<Value> Max(Interpreter& in, const Value& v, const CallArgs& a) {
  return MinMax(in, v, a, true);
}

Result<Value> Attr(Interpreter&, const Value& v, const CallArgs& a) {
  HFD_ASSIGN_OR_RETURN(std::string name, StringArg(a, 0, "name", "attr"));
  if (!v.is_dict()) return Value::UndefinedNamed(name);
  const Value* r = v.as_dict().Find(name);
  return r != nullptr ? *r : Value::UndefinedNamed(name);
}

const std::unordered_map<std::string_view, FilterFn>& Filters() {
  static const auto* filters = new std::unordered_map<std::string_view, FilterFn>{
      {"trim", Trim},
      {"tojson", ToJson},
      {"length", Length},
      {"count", Length},
      {"upper", TextFilter<AsciiUpper>},
      {"lower", TextFilter<AsciiLower>},
      {"title", TextFilter<TitleCase>},
      {"capitalize", TextFilter<Capitalize>},
      {"replace", Replace},
      {"join", Join},
      {"default", Default},
      {"d", Default},
      {"first", First},
      {"last", Last},
      {"list", List},
      {"map", Map},
      {"select", SelectF},
      {"reject", RejectF},
      {"selectattr", SelectAttr},
      {"rejectattr", RejectAttr},
      {"string", String},
      {"int", Int},
      {"float", Float},
      {"abs", Abs},
      {"round", Round},
      {"items", ItemsF},
      {"dictsort", DictSort},
      {"unique", Unique},
      {"indent", Indent},
      {"batch", Batch},
      {"reverse", Reverse},
      {"sort", Sort},
      {"sum", Sum},
      {"min", Min},
      {"max", Max},
      {"safe", Identity},
      {"attr", Attr},
  };
  return *filters;
}

}  // namespace

FilterFn FindFilter(std::string_view name) {
  auto it = Filters().find(name);
  return it == Filters().end() ? nullptr : it->second;
}

}  // namespace hfd::chat
