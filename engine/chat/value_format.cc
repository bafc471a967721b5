#include "engine/chat/value_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "engine/chat/callable.h"
#include "engine/chat/text_util.h"

namespace hfd::chat {
namespace {

// Splits shortest scientific digits "d.ddde±x" into the digit string and the exponent.
void ShortestDigits(double d, std::string* digits, int* exponent) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string s(buf, res.ptr);
  size_t e = s.find('e');
  for (size_t i = 0; i < e; ++i) {
    if (s[i] != '.') digits->push_back(s[i]);
  }
  *exponent = std::stoi(s.substr(e + 1));
}

void AppendSequence(const std::vector<Value>& items, std::string* out, size_t limit) {
  out->push_back('[');
  for (size_t i = 0; i < items.size() && out->size() <= limit; ++i) {
    if (i > 0) out->append(", ");
    AppendRepr(items[i], out, limit);
  }
  out->push_back(']');
}

void AppendStringRepr(const std::string& s, std::string* out) {
  bool has_single = s.find('\'') != std::string::npos;
  bool has_double = s.find('"') != std::string::npos;
  char quote = (has_single && !has_double) ? '"' : '\'';
  out->push_back(quote);
  for (unsigned char c : s) {
    if (const char* escape = SharedEscape(c)) {
      out->append(escape);
      continue;
    }
    if (c == static_cast<unsigned char>(quote)) {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out->append(buf);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back(quote);
}

}  // namespace

std::string FormatFloat(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  std::string out;
  if (std::signbit(d)) {
    out.push_back('-');
    d = -d;
  }
  if (d == 0.0) return out + "0.0";
  std::string digits;
  int exp = 0;
  ShortestDigits(d, &digits, &exp);
  if (exp >= -4 && exp < 16) {
    if (exp < 0) {
      out.append("0.");
      out.append(static_cast<size_t>(-exp - 1), '0');
      out.append(digits);
    } else {
      size_t int_len = static_cast<size_t>(exp) + 1;
      if (digits.size() <= int_len) {
        out.append(digits);
        out.append(int_len - digits.size(), '0');
        out.append(".0");
      } else {
        out.append(digits, 0, int_len);
        out.push_back('.');
        out.append(digits, int_len, std::string::npos);
      }
    }
    return out;
  }
  out.push_back(digits[0]);
  if (digits.size() > 1) {
    out.push_back('.');
    out.append(digits, 1, std::string::npos);
  }
  char buf[16];
  std::snprintf(buf, sizeof(buf), "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
  out.append(buf);
  return out;
}

void AppendStr(const Value& v, std::string* out, size_t limit) {
  using K = Value::Kind;
  switch (v.kind()) {
    case K::kUndefined:
      return;
    case K::kNone:
      out->append("None");
      return;
    case K::kBool:
      out->append(v.as_bool() ? "True" : "False");
      return;
    case K::kInt:
      out->append(std::to_string(v.as_int()));
      return;
    case K::kFloat:
      out->append(FormatFloat(v.as_float()));
      return;
    case K::kString:
      out->append(v.as_string());
      return;
    case K::kList:
      AppendSequence(v.as_list(), out, limit);
      return;
    case K::kDict: {
      const auto& entries = v.as_dict().entries;
      if (v.as_dict().is_namespace) out->append("<Namespace ");
      out->push_back('{');
      for (size_t i = 0; i < entries.size() && out->size() <= limit; ++i) {
        if (i > 0) out->append(", ");
        AppendStringRepr(entries[i].first, out);
        out->append(": ");
        AppendRepr(entries[i].second, out, limit);
      }
      out->push_back('}');
      if (v.as_dict().is_namespace) out->push_back('>');
      return;
    }
    case K::kCallable:
      out->append("<function ");
      out->append(v.as_callable().name);
      out->push_back('>');
      return;
  }
}

std::string ToStr(const Value& v, size_t limit) {
  if (v.is_string()) return v.as_string();
  std::string out;
  AppendStr(v, &out, limit);
  return out;
}

void AppendRepr(const Value& v, std::string* out, size_t limit) {
  if (v.is_string()) {
    AppendStringRepr(v.as_string(), out);
  } else if (v.is_undefined()) {
    out->append("Undefined");
  } else {
    AppendStr(v, out, limit);
  }
}

}  // namespace hfd::chat
