// Numbers typed by people, in flags (`--ctx 4096`) and in the chat's `/set parameter`: one
// parser, so both say the same thing about a bad value: which setting, what it expects,
// what was typed (`--ctx: expected a whole number of tokens ≥ 16, got "4k"`).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "hfd/status.h"

namespace hfd::ctl {

struct NumberRule {
  bool whole = false;  // integers only
  double min = 0;
  std::optional<double> max;  // none: only the minimum is checked
  std::string_view unit;      // "tokens": "a whole number of tokens"
};

constexpr NumberRule WholeNumber(double min, std::optional<double> max = std::nullopt,
                                 std::string_view unit = "") {
  return NumberRule{true, min, max, unit};
}
constexpr NumberRule RealNumber(double min, std::optional<double> max = std::nullopt) {
  return NumberRule{false, min, max, ""};
}

// "a whole number of tokens ≥ 16", "a number from 0 to 1".
std::string Expected(const NumberRule& rule);

// `text` as a JSON number (integer for whole rules), or InvalidArgument
// `expected <Expected(rule)>, got "<text>"`.
Result<nlohmann::json> ParseNumber(const NumberRule& rule, std::string_view text);

// A CLI11 check with ParseNumber's message; CLI11 puts the flag's name in front.
CLI::Validator NumberValidator(const NumberRule& rule);

}  // namespace hfd::ctl
