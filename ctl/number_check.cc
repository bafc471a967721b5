#include "ctl/number_check.h"

#include <charconv>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

namespace hfd::ctl {
namespace {

// from_chars reads only the whole text, with no leading '+' or spaces: what people type
// into a flag is taken as it is or refused.
template <typename T>
std::optional<T> ParseAll(std::string_view text) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Seeds reach 2^64 - 1, so whole numbers that are not negative are read unsigned.
std::optional<nlohmann::json> ParseWhole(std::string_view text) {
  if (text.starts_with('-')) {
    if (auto v = ParseAll<int64_t>(text)) return nlohmann::json(*v);
    return std::nullopt;
  }
  if (auto v = ParseAll<uint64_t>(text)) return nlohmann::json(*v);
  return std::nullopt;
}

std::optional<nlohmann::json> ParseReal(std::string_view text) {
  auto v = ParseAll<double>(text);
  if (!v || !std::isfinite(*v)) return std::nullopt;
  return nlohmann::json(*v);
}

}  // namespace

std::string Expected(const NumberRule& rule) {
  std::string what = rule.whole ? "a whole number" : "a number";
  if (!rule.unit.empty()) what += fmt::format(" of {}", rule.unit);
  if (rule.max) return fmt::format("{} from {} to {}", what, rule.min, *rule.max);
  return fmt::format("{} ≥ {}", what, rule.min);
}

Result<nlohmann::json> ParseNumber(const NumberRule& rule, std::string_view text) {
  const std::optional<nlohmann::json> value = rule.whole ? ParseWhole(text) : ParseReal(text);
  const bool in_range =
      value && value->get<double>() >= rule.min && (!rule.max || value->get<double>() <= *rule.max);
  if (!in_range)
    return InvalidArgument(fmt::format("expected {}, got \"{}\"", Expected(rule), text));
  return *value;
}

CLI::Validator NumberValidator(const NumberRule& rule) {
  return CLI::Validator(
      [rule](std::string& text) -> std::string {
        Result<nlohmann::json> value = ParseNumber(rule, text);
        return value.ok() ? "" : value.status().message();
      },
      rule.whole ? "INT" : "NUMBER");
}

}  // namespace hfd::ctl
