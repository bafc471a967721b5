// Typed access to a request's named arguments, with errors a caller can act on
// ("param 'limit' must be an unsigned integer"). Handlers use these instead of
// touching the JSON directly.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hfd/status.h"

namespace hfd::proto {

// Refuses names in `params` that are not in `known`, so typos are not silently ignored.
Status RejectUnknownParams(const nlohmann::json& params,
                           std::initializer_list<std::string_view> known);

// Each getter: the value when present and of the right type, nullopt when absent (or nil),
// an InvalidArgument error when present with another type or out of range.
Result<std::optional<std::uint64_t>> OptionalUint(const nlohmann::json& params,
                                                  std::string_view name,
                                                  std::uint64_t max = UINT64_MAX);
Result<std::optional<std::int64_t>> OptionalInt(const nlohmann::json& params,
                                                std::string_view name);
Result<std::optional<double>> OptionalNumber(const nlohmann::json& params, std::string_view name);
Result<std::optional<bool>> OptionalBool(const nlohmann::json& params, std::string_view name);
Result<std::optional<std::string>> OptionalString(const nlohmann::json& params,
                                                  std::string_view name,
                                                  std::size_t max_bytes = SIZE_MAX);

// As above, but absence is an error ("missing param 'msgid'").
Result<std::uint64_t> RequiredUint(const nlohmann::json& params, std::string_view name,
                                   std::uint64_t max = UINT64_MAX);
Result<std::string> RequiredString(const nlohmann::json& params, std::string_view name,
                                   std::size_t max_bytes = SIZE_MAX);

}  // namespace hfd::proto
