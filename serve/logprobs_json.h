// Per-token log-probabilities as JSON, in OpenAI's chat form, for every door that reports
// them (the MessagePack `generate`/`chat` answers, the OpenAI chat endpoint).
#pragma once

#include <span>

#include <nlohmann/json.hpp>

#include "engine/runtime/generator.h"

namespace hfd::serve {

// [{"token", "logprob", "bytes", "top_logprobs": [{"token", "logprob", "bytes"}]}], one
// entry per token. `token` is the piece as UTF-8 (bytes that form no character become
// U+FFFD); `bytes` its exact bytes.
nlohmann::json LogprobsJson(std::span<const runtime::TokenLogprobs> tokens);

}  // namespace hfd::serve
