#include "proto/params.h"

#include <algorithm>

namespace hfd::proto {
namespace {

using nlohmann::json;

const json* Find(const json& params, std::string_view name) {
  if (!params.is_object()) return nullptr;
  auto it = params.find(name);
  if (it == params.end() || it->is_null()) return nullptr;
  return &*it;
}

Status WrongType(std::string_view name, std::string_view what) {
  return InvalidArgument("param '" + std::string(name) + "' must be " + std::string(what));
}

Status Missing(std::string_view name) {
  return InvalidArgument("missing param '" + std::string(name) + "'");
}

}  // namespace

Status RejectUnknownParams(const json& params, std::initializer_list<std::string_view> known) {
  if (!params.is_object()) return InvalidArgument("params must be a map of named arguments");
  for (const auto& [key, value] : params.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return InvalidArgument("unknown param '" + key + "'");
    }
  }
  return Status::Ok();
}

Result<std::optional<std::uint64_t>> OptionalUint(const json& params, std::string_view name,
                                                  std::uint64_t max) {
  const json* v = Find(params, name);
  if (v == nullptr) return std::optional<std::uint64_t>();
  // JSON built in C++ stores non-negative literals as signed; both forms are accepted.
  if (!v->is_number_integer() || (!v->is_number_unsigned() && v->get<std::int64_t>() < 0)) {
    return WrongType(name, "an unsigned integer");
  }
  const auto value = v->get<std::uint64_t>();
  if (value > max) return WrongType(name, "at most " + std::to_string(max));
  return std::optional<std::uint64_t>(value);
}

Result<std::optional<std::int64_t>> OptionalInt(const json& params, std::string_view name) {
  const json* v = Find(params, name);
  if (v == nullptr) return std::optional<std::int64_t>();
  if (v->is_number_unsigned()) {
    if (v->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      return WrongType(name, "a 64-bit signed integer");
    }
    return std::optional<std::int64_t>(static_cast<std::int64_t>(v->get<std::uint64_t>()));
  }
  if (!v->is_number_integer()) return WrongType(name, "an integer");
  return std::optional<std::int64_t>(v->get<std::int64_t>());
}

Result<std::optional<double>> OptionalNumber(const json& params, std::string_view name) {
  const json* v = Find(params, name);
  if (v == nullptr) return std::optional<double>();
  if (!v->is_number()) return WrongType(name, "a number");
  return std::optional<double>(v->get<double>());
}

Result<std::optional<bool>> OptionalBool(const json& params, std::string_view name) {
  const json* v = Find(params, name);
  if (v == nullptr) return std::optional<bool>();
  if (!v->is_boolean()) return WrongType(name, "a boolean");
  return std::optional<bool>(v->get<bool>());
}

Result<std::optional<std::string>> OptionalString(const json& params, std::string_view name,
                                                  std::size_t max_bytes) {
  const json* v = Find(params, name);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return WrongType(name, "a string");
  if (v->get_ref<const std::string&>().size() > max_bytes) {
    return WrongType(name, "at most " + std::to_string(max_bytes) + " bytes long");
  }
  return std::optional<std::string>(v->get<std::string>());
}

Result<std::uint64_t> RequiredUint(const json& params, std::string_view name, std::uint64_t max) {
  HFD_ASSIGN_OR_RETURN(std::optional<std::uint64_t> v, OptionalUint(params, name, max));
  if (!v) return Missing(name);
  return *v;
}

Result<std::string> RequiredString(const json& params, std::string_view name,
                                   std::size_t max_bytes) {
  HFD_ASSIGN_OR_RETURN(std::optional<std::string> v, OptionalString(params, name, max_bytes));
  if (!v) return Missing(name);
  return std::move(*v);
}

}  // namespace hfd::proto
