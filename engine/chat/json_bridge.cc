#include "engine/chat/json_bridge.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "engine/chat/text_util.h"
#include "engine/chat/value_format.h"

namespace hfd::chat {
namespace {

template <typename Json>
Result<Value> Convert(const Json& j, int depth_left) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return Value::None();
    case nlohmann::json::value_t::boolean:
      return Value(j.template get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value(j.template get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = j.template get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) return Value(static_cast<double>(u));
      return Value(static_cast<int64_t>(u));
    }
    case nlohmann::json::value_t::number_float:
      return Value(j.template get<double>());
    case nlohmann::json::value_t::string:
      return Value(j.template get_ref<const std::string&>());
    case nlohmann::json::value_t::binary:
      return InvalidArgument("binary values cannot be passed to a chat template");
    case nlohmann::json::value_t::array:
    case nlohmann::json::value_t::object:
      break;
  }
  if (depth_left <= 0) {
    return TooLarge("chat messages are nested too deeply for the chat template");
  }
  if (j.is_array()) {
    std::vector<Value> items;
    items.reserve(j.size());
    for (const auto& item : j) {
      HFD_ASSIGN_OR_RETURN(Value v, Convert(item, depth_left - 1));
      items.push_back(std::move(v));
    }
    return Value::MakeList(std::move(items));
  }
  std::vector<std::pair<std::string, Value>> entries;
  entries.reserve(j.size());
  for (auto it = j.begin(); it != j.end(); ++it) {
    HFD_ASSIGN_OR_RETURN(Value v, Convert(it.value(), depth_left - 1));
    entries.emplace_back(it.key(), std::move(v));
  }
  return Value::MakeDict(std::move(entries));
}

void AppendJsonString(const std::string& s, bool ensure_ascii, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (const char* escape = SharedEscape(c)) {
      out->append(escape);
      ++i;
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        if (c < 0x20) {
          out->append(fmt::format("\\u{:04x}", c));
        } else if (c >= 0x80 && ensure_ascii) {
          // Decode one UTF-8 sequence and write it as \uXXXX (surrogate pairs above BMP).
          size_t n = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
          if (i + n > s.size()) n = 1;
          uint32_t cp = n == 1 ? 0xFFFD : (c & (0x7F >> n));
          for (size_t k = 1; k < n; ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
          if (cp >= 0x10000) {
            cp -= 0x10000;
            out->append(
                fmt::format("\\u{:04x}\\u{:04x}", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF)));
          } else {
            out->append(fmt::format("\\u{:04x}", cp));
          }
          i += n;
          continue;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

class JsonWriter {
 public:
  explicit JsonWriter(const JsonFormat& f) : f_(f) {
    item_sep_ = !f.item_separator.empty() ? f.item_separator : (f.indent >= 0 ? "," : ", ");
  }

  Status Write(const Value& v, int level, std::string* out) {
    using K = Value::Kind;
    switch (v.kind()) {
      case K::kNone:
        out->append("null");
        return Status::Ok();
      case K::kBool:
        out->append(v.as_bool() ? "true" : "false");
        return Status::Ok();
      case K::kInt:
        out->append(std::to_string(v.as_int()));
        return Status::Ok();
      case K::kFloat: {
        double d = v.as_float();
        if (std::isnan(d)) {
          out->append("NaN");
        } else if (std::isinf(d)) {
          out->append(d < 0 ? "-Infinity" : "Infinity");
        } else {
          out->append(FormatFloat(d));
        }
        return Status::Ok();
      }
      case K::kString:
        AppendJsonString(v.as_string(), f_.ensure_ascii, out);
        return Status::Ok();
      case K::kList:
        return WriteContainer(v.as_list().size(), '[', ']', level, out,
                              [&](size_t i) { return Write(v.as_list()[i], level + 1, out); });
      case K::kDict: {
        if (v.as_dict().is_namespace)
          return InvalidArgument("a namespace cannot be serialised to JSON");
        std::vector<const std::pair<std::string, Value>*> entries;
        for (const auto& e : v.as_dict().entries) entries.push_back(&e);
        if (f_.sort_keys) {
          std::stable_sort(entries.begin(), entries.end(),
                           [](auto* a, auto* b) { return a->first < b->first; });
        }
        return WriteContainer(entries.size(), '{', '}', level, out, [&](size_t i) {
          AppendJsonString(entries[i]->first, f_.ensure_ascii, out);
          out->append(f_.key_separator);
          return Write(entries[i]->second, level + 1, out);
        });
      }
      case K::kUndefined:
        return InvalidArgument(
            fmt::format("'{}' is undefined and cannot be serialised to JSON", v.undefined_name()));
      case K::kCallable:
        return InvalidArgument("a function cannot be serialised to JSON");
    }
    return Status::Ok();
  }

 private:
  template <typename Item>
  Status WriteContainer(size_t n, char open, char close, int level, std::string* out, Item item) {
    out->push_back(open);
    if (n == 0) {
      out->push_back(close);
      return Status::Ok();
    }
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) out->append(item_sep_);
      Newline(level + 1, out);
      HFD_RETURN_IF_ERROR(item(i));
      if (out->size() > f_.max_bytes) {
        return TooLarge(fmt::format("JSON text longer than {} bytes", f_.max_bytes));
      }
    }
    Newline(level, out);
    out->push_back(close);
    return Status::Ok();
  }

  void Newline(int level, std::string* out) const {
    if (f_.indent < 0) return;
    out->push_back('\n');
    out->append(static_cast<size_t>(f_.indent) * static_cast<size_t>(level), ' ');
  }

  const JsonFormat& f_;
  std::string item_sep_;
};

}  // namespace

Result<Value> FromJson(const nlohmann::json& j, int max_depth) { return Convert(j, max_depth); }

Result<Value> FromJson(const nlohmann::ordered_json& j, int max_depth) {
  return Convert(j, max_depth);
}

Result<std::string> ToJsonText(const Value& v, const JsonFormat& format) {
  std::string out;
  HFD_RETURN_IF_ERROR(JsonWriter(format).Write(v, 0, &out));
  return out;
}

}  // namespace hfd::chat
