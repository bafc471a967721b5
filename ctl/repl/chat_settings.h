// The chat's `/set parameter NAME VALUE`: changes a generation option for the turns that
// follow. Names are Ollama's (temperature, top_k, top_p, min_p, repeat_penalty, seed,
// num_predict, stop), plus max_tokens, the daemon's name for num_predict; values are
// checked with the same rules as the command-line flags (commands/setting_rules.h).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hfd/status.h"

namespace hfd::ctl {

// Applies `arguments` (what follows "/set parameter ") to `params`, the params of each
// turn's request. Returns the line to show ("Set parameter 'temperature' to '0.2'."), or
// InvalidArgument saying what is wrong and what is accepted. `stop` takes one or more
// words, each a stop string.
Result<std::string> SetParameter(std::string_view arguments, nlohmann::json& params);

// The parameters /set accepts, one per line with what each expects.
std::string ParameterHelp();

// The generation options present in `params`, "name value" per line ("none set" if none).
std::string ShowParameters(const nlohmann::json& params);

}  // namespace hfd::ctl
