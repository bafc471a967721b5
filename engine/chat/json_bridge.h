// Conversion between nlohmann::json documents and template values, and the `tojson`
// serialisation with Python's json.dumps formatting (as transformers' tojson uses it:
// ensure_ascii=False, ", " and ": " separators, `indent` giving one item per line).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/chat/value.h"
#include "hfd/status.h"

namespace hfd::chat {

// Objects keep the document's key order (use ordered_json to keep the caller's order).
// Fails for documents nested deeper than `max_depth`.
Result<Value> FromJson(const nlohmann::json& j, int max_depth);
Result<Value> FromJson(const nlohmann::ordered_json& j, int max_depth);

struct JsonFormat {
  int indent = -1;             // < 0: everything on one line
  std::string item_separator;  // empty: ", " on one line, "," with indent
  std::string key_separator = ": ";
  bool sort_keys = false;
  bool ensure_ascii = false;
  size_t max_bytes = SIZE_MAX;  // output larger than this is an error
};

// json.dumps(value); undefined, namespaces and functions cannot be serialised.
Result<std::string> ToJsonText(const Value& v, const JsonFormat& format);

}  // namespace hfd::chat
