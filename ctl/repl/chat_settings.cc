#include "ctl/repl/chat_settings.h"

#include <array>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "ctl/commands/setting_rules.h"
#include "proto/json_msgpack.h"

namespace hfd::ctl {
namespace {

struct Parameter {
  std::string_view name;   // as typed after /set parameter
  std::string_view param;  // the daemon's name
  const NumberRule* rule;  // null: a list of stop strings
};

constexpr std::array kParameters{
    Parameter{"temperature", "temperature", &rules::kTemperature},
    Parameter{"top_k", "top_k", &rules::kTopK},
    Parameter{"top_p", "top_p", &rules::kProbability},
    Parameter{"min_p", "min_p", &rules::kProbability},
    Parameter{"repeat_penalty", "repeat_penalty", &rules::kRepeatPenalty},
    Parameter{"seed", "seed", &rules::kSeed},
    Parameter{"num_predict", "max_tokens", &rules::kMaxTokens},
    Parameter{"max_tokens", "max_tokens", &rules::kMaxTokens},
    Parameter{"stop", "stop", nullptr},
};

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

}  // namespace

Result<std::string> SetParameter(std::string_view arguments, nlohmann::json& params) {
  const std::vector<std::string> words = Words(arguments);
  if (words.empty()) {
    return InvalidArgument("usage: /set parameter NAME VALUE; the names:\n" + ParameterHelp());
  }
  const Parameter* parameter = nullptr;
  for (const Parameter& p : kParameters) {
    if (p.name == words[0]) parameter = &p;
  }
  if (parameter == nullptr) {
    return InvalidArgument(
        fmt::format("unknown parameter '{}'; the names:\n{}", words[0], ParameterHelp()));
  }
  if (words.size() < 2) {
    return InvalidArgument(fmt::format("/set parameter {}: give a value", parameter->name));
  }
  const std::vector<std::string> values(words.begin() + 1, words.end());
  if (parameter->rule == nullptr) {
    params[std::string(parameter->param)] = values;
    return fmt::format("Set parameter 'stop' to '{}'.", fmt::join(values, "', '"));
  }
  if (values.size() > 1) {
    return InvalidArgument(
        fmt::format("{} takes one value, got {}", parameter->name, values.size()));
  }
  Result<nlohmann::json> number = ParseNumber(*parameter->rule, values[0]);
  if (!number.ok()) return number.status().WithContext(std::string(parameter->name));
  params[std::string(parameter->param)] = *number;
  return fmt::format("Set parameter '{}' to '{}'.", parameter->name, values[0]);
}

std::string ParameterHelp() {
  std::string help;
  for (const Parameter& p : kParameters) {
    help += fmt::format("  {:<15} {}\n", p.name,
                        p.rule != nullptr ? Expected(*p.rule) : "one or more stop strings");
  }
  return help;
}

std::string ShowParameters(const nlohmann::json& params) {
  std::string shown;
  for (const Parameter& p : kParameters) {
    if (p.name != p.param && p.param == "max_tokens") continue;  // shown once, as max_tokens
    const auto it = params.find(std::string(p.param));
    if (it != params.end()) shown += fmt::format("  {:<15} {}\n", p.param, proto::DumpJson(*it));
  }
  return shown.empty() ? "  none set: the daemon's defaults apply\n" : shown;
}

}  // namespace hfd::ctl
