// Ollama request fields as serving-core requests: `options` (temperature, top_k, top_p,
// min_p, seed, num_predict, num_ctx, stop, repeat_penalty, repeat_last_n,
// presence_penalty, frequency_penalty) and `keep_alive`. Unknown options are ignored, as
// Ollama ignores options a model does not use; wrong types are refused naming the option.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "hfd/status.h"
#include "serve/service.h"

namespace hfd::http::ollama {

// Sampling (hfd's defaults, as the MessagePack door has them, with num_predict -1: until
// the context is full, as Ollama) and the load option num_ctx, from body["options"].
Status ApplyOptions(const nlohmann::json& body, serve::CompletionRequest& request);

// `think`: true or false, or a level "low", "medium" or "high" (gpt-oss's reasoning effort,
// given to the chat template); absent or null: the model's default. Returns whether the
// reply carries the thinking: not for false (gpt-oss thinks all the same; it has no switch).
Result<bool> ApplyThink(const nlohmann::json& body, serve::CompletionRequest& request);

// `keep_alive`: seconds (a number) or a duration ("5m", "0", "-1"); none when absent.
Result<std::optional<double>> KeepAlive(const nlohmann::json& body);

// The model a request names (`model`, or the older `name`), as hfd names it.
Result<std::string> ModelField(const nlohmann::json& body);

}  // namespace hfd::http::ollama
