// Small readers of tokenizer.json nodes shared by the parts that configure a
// TokenizerModel (pipeline, normalizers, post-processors). None of them throws.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace hfd::tok {

// obj[key] when obj is an object holding key, else nullptr (never inserts, never throws).
const nlohmann::json* Member(const nlohmann::json& obj, std::string_view key);

// The node's "type" member, or "" when it has none.
std::string TypeOf(const nlohmann::json& node);

std::optional<std::string> StringMember(const nlohmann::json& obj, std::string_view key);

bool BoolMember(const nlohmann::json& obj, std::string_view key, bool fallback);

// The node itself, or its members when it is a Sequence (under `list_key`), flattened.
void Flatten(const nlohmann::json* node, std::string_view list_key,
             std::vector<const nlohmann::json*>& out);

}  // namespace hfd::tok
