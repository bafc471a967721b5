#include "engine/tokenizer/hf_json.h"

namespace hfd::tok {

using json = nlohmann::json;

const json* Member(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

std::string TypeOf(const json& node) {
  const json* type = Member(node, "type");
  return (type && type->is_string()) ? type->get<std::string>() : std::string();
}

std::optional<std::string> StringMember(const json& obj, std::string_view key) {
  const json* v = Member(obj, key);
  if (v && v->is_string()) return v->get<std::string>();
  return std::nullopt;
}

bool BoolMember(const json& obj, std::string_view key, bool fallback) {
  const json* v = Member(obj, key);
  return (v && v->is_boolean()) ? v->get<bool>() : fallback;
}

void Flatten(const json* node, std::string_view list_key, std::vector<const json*>& out) {
  if (node == nullptr || !node->is_object()) return;
  if (TypeOf(*node) == "Sequence") {
    const json* items = Member(*node, list_key);
    if (items && items->is_array()) {
      for (const json& item : *items) Flatten(&item, list_key, out);
    }
    return;
  }
  out.push_back(node);
}

}  // namespace hfd::tok
