// Methods called on values, as real templates use them: str.strip(), dict.items(), ...
#include <unordered_map>

#include "engine/chat/builtin_util.h"
#include "engine/chat/builtins.h"
#include "engine/chat/interpreter.h"
#include "engine/chat/text_util.h"
#include "engine/chat/value_format.h"

namespace hfd::chat {
namespace {

Result<Value> Strip(const Value& s, const CallArgs& a, bool left, bool right) {
  Value chars = Arg(a, 0, "chars");
  if (chars.is_string()) {
    return Value(StripText(s.as_string(), &chars.as_string(), left, right));
  }
  return Value(StripText(s.as_string(), nullptr, left, right));
}
Result<Value> StripM(Interpreter&, const Value& s, const CallArgs& a) {
  return Strip(s, a, true, true);
}
Result<Value> LStrip(Interpreter&, const Value& s, const CallArgs& a) {
  return Strip(s, a, true, false);
}
Result<Value> RStrip(Interpreter&, const Value& s, const CallArgs& a) {
  return Strip(s, a, false, true);
}
Result<Value> UpperM(Interpreter&, const Value& s, const CallArgs&) {
  return Value(AsciiUpper(s.as_string()));
}
Result<Value> LowerM(Interpreter&, const Value& s, const CallArgs&) {
  return Value(AsciiLower(s.as_string()));
}
Result<Value> TitleM(Interpreter&, const Value& s, const CallArgs&) {
  return Value(TitleCase(s.as_string()));
}
Result<Value> CapM(Interpreter&, const Value& s, const CallArgs&) {
  return Value(Capitalize(s.as_string()));
}

// Python's str.split(sep=None, maxsplit=-1).
Result<Value> Split(Interpreter& in, const Value& s, const CallArgs& a) {
  Value sep = Arg(a, 0, "sep");
  HFD_ASSIGN_OR_RETURN(int64_t maxsplit, IntArg(a, 1, "maxsplit", -1, "split"));
  const std::string& text = s.as_string();
  std::vector<Value> parts;
  if (sep.is_string()) {
    const std::string& d = sep.as_string();
    if (d.empty()) return InvalidArgument("split() separator is empty");
    size_t pos = 0;
    while (maxsplit < 0 || static_cast<int64_t>(parts.size()) < maxsplit) {
      size_t hit = text.find(d, pos);
      if (hit == std::string::npos) break;
      parts.emplace_back(text.substr(pos, hit - pos));
      pos = hit + d.size();
    }
    parts.emplace_back(text.substr(pos));
  } else {
    size_t i = 0;
    auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
    while (true) {
      while (i < text.size() && space(text[i])) ++i;
      if (i >= text.size()) break;
      if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) >= maxsplit) {
        size_t end = text.size();
        while (end > i && space(text[end - 1])) --end;
        parts.emplace_back(text.substr(i, end - i));
        break;
      }
      size_t j = i;
      while (j < text.size() && !space(text[j])) ++j;
      parts.emplace_back(text.substr(i, j - i));
      i = j;
    }
  }
  HFD_RETURN_IF_ERROR(in.Charge(parts.size()));
  return Value::MakeList(std::move(parts));
}

// startswith/endswith take a string or a tuple of strings.
Result<Value> Affix(const Value& s, const CallArgs& a, bool prefix) {
  Value arg = Arg(a, 0, prefix ? "prefix" : "suffix");
  std::vector<Value> options = arg.is_list() ? arg.as_list() : std::vector<Value>{arg};
  const std::string& text = s.as_string();
  for (const Value& o : options) {
    if (!o.is_string()) return InvalidArgument("startswith()/endswith() need strings");
    const std::string& x = o.as_string();
    if (x.size() > text.size()) continue;
    if (prefix ? text.compare(0, x.size(), x) == 0
               : text.compare(text.size() - x.size(), x.size(), x) == 0) {
      return Value(true);
    }
  }
  return Value(false);
}
Result<Value> StartsWith(Interpreter&, const Value& s, const CallArgs& a) {
  return Affix(s, a, true);
}
Result<Value> EndsWith(Interpreter&, const Value& s, const CallArgs& a) {
  return Affix(s, a, false);
}

Result<Value> ReplaceM(Interpreter& in, const Value& s, const CallArgs& a) {
  return in.ApplyFilter("replace", s, a);
}

// find/rfind/count return code-point offsets, as Python does.
Result<Value> Find(const Value& s, const CallArgs& a, bool reverse) {
  HFD_ASSIGN_OR_RETURN(std::string sub, StringArg(a, 0, "sub", reverse ? "rfind" : "find"));
  const std::string& text = s.as_string();
  size_t hit = reverse ? text.rfind(sub) : text.find(sub);
  if (hit == std::string::npos) return Value(-1);
  return Value(static_cast<int64_t>(CodePoints(std::string_view(text).substr(0, hit)).size()));
}
Result<Value> FindM(Interpreter&, const Value& s, const CallArgs& a) { return Find(s, a, false); }
Result<Value> RFindM(Interpreter&, const Value& s, const CallArgs& a) { return Find(s, a, true); }

Result<Value> CountM(Interpreter&, const Value& s, const CallArgs& a) {
  HFD_ASSIGN_OR_RETURN(std::string sub, StringArg(a, 0, "sub", "count"));
  const std::string& text = s.as_string();
  if (sub.empty()) return Value(static_cast<int64_t>(CodePoints(text).size() + 1));
  int64_t n = 0;
  for (size_t p = text.find(sub); p != std::string::npos; p = text.find(sub, p + sub.size())) ++n;
  return Value(n);
}

Result<Value> JoinM(Interpreter& in, const Value& s, const CallArgs& a) {
  CallArgs args;
  args.positional.push_back(s);
  return in.ApplyFilter("join", Arg(a, 0, "iterable"), args);
}

Result<Value> SplitLines(Interpreter& in, const Value& s, const CallArgs& a) {
  bool keepends = Arg(a, 0, "keepends").Truthy();
  const std::string& text = s.as_string();
  std::vector<Value> lines;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') continue;
    size_t end = i;
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    lines.emplace_back(text.substr(start, (keepends ? i + 1 : end) - start));
    start = i + 1;
  }
  if (start < text.size()) lines.emplace_back(text.substr(start));
  HFD_RETURN_IF_ERROR(in.Charge(lines.size()));
  return Value::MakeList(std::move(lines));
}

// isdigit/isalpha/isspace/... over ASCII classes; false for the empty string.
template <bool (*Pred)(unsigned char)>
Result<Value> IsClass(Interpreter&, const Value& s, const CallArgs&) {
  const std::string& text = s.as_string();
  if (text.empty()) return Value(false);
  for (unsigned char c : text) {
    if (!Pred(c)) return Value(false);
  }
  return Value(true);
}
bool Digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool Alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
bool Space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool Alnum(unsigned char c) { return Digit(c) || Alpha(c); }

Result<Value> DictItems(Interpreter& in, const Value& d, const CallArgs& a) {
  return in.ApplyFilter("items", d, a);
}
Result<Value> DictKeys(Interpreter& in, const Value& d, const CallArgs&) {
  HFD_RETURN_IF_ERROR(in.Charge(d.as_dict().entries.size()));
  std::vector<Value> keys;
  for (const auto& e : d.as_dict().entries) keys.emplace_back(e.first);
  return Value::MakeList(std::move(keys));
}
Result<Value> DictValues(Interpreter& in, const Value& d, const CallArgs&) {
  HFD_RETURN_IF_ERROR(in.Charge(d.as_dict().entries.size()));
  std::vector<Value> values;
  for (const auto& e : d.as_dict().entries) values.push_back(e.second);
  return Value::MakeList(std::move(values));
}
Result<Value> DictGet(Interpreter&, const Value& d, const CallArgs& a) {
  Value key = Arg(a, 0, "key");
  const Value* v = key.is_string() ? d.as_dict().Find(key.as_string()) : nullptr;
  return v != nullptr ? *v : Arg(a, 1, "default", Value::None());
}

using MethodTable = std::unordered_map<std::string_view, MethodFn>;

const MethodTable& StringMethods() {
  static const auto* t = new MethodTable{
      {"strip", StripM},
      {"lstrip", LStrip},
      {"rstrip", RStrip},
      {"upper", UpperM},
      {"lower", LowerM},
      {"title", TitleM},
      {"capitalize", CapM},
      {"split", Split},
      {"startswith", StartsWith},
      {"endswith", EndsWith},
      {"replace", ReplaceM},
      {"find", FindM},
      {"rfind", RFindM},
      {"count", CountM},
      {"join", JoinM},
      {"splitlines", SplitLines},
      {"isdigit", IsClass<Digit>},
      {"isalpha", IsClass<Alpha>},
      {"isspace", IsClass<Space>},
      {"isalnum", IsClass<Alnum>},
  };
  return *t;
}

const MethodTable& DictMethods() {
  static const auto* t = new MethodTable{
      {"items", DictItems}, {"keys", DictKeys}, {"values", DictValues}, {"get", DictGet}};
  return *t;
}

}  // namespace

MethodFn FindMethod(const Value& self, std::string_view name) {
  const MethodTable* table = self.is_string()                                 ? &StringMethods()
                             : self.is_dict() && !self.as_dict().is_namespace ? &DictMethods()
                                                                              : nullptr;
  if (table == nullptr) return nullptr;
  auto it = table->find(name);
  return it == table->end() ? nullptr : it->second;
}

}  // namespace hfd::chat
