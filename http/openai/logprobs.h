// OpenAI's `logprobs` objects from the engine's per-token log-probabilities: the chat
// form ({"content": [{token, logprob, bytes, top_logprobs}]}) and the legacy completions
// form ({tokens, token_logprobs, top_logprobs, text_offset}).
#pragma once

#include <cstddef>
#include <span>

#include <nlohmann/json.hpp>

#include "engine/runtime/generator.h"

namespace hfd::http::openai {

// {"content": [...]}, one entry per token (serve::LogprobsJson).
nlohmann::json ChatLogprobs(std::span<const runtime::TokenLogprobs> tokens);

// The legacy form for `tokens`. `text_offset` counts bytes of the pieces that came before,
// from `offset` (the pieces' total length in earlier chunks of a stream); it is advanced.
nlohmann::json TextLogprobs(std::span<const runtime::TokenLogprobs> tokens, std::size_t& offset);

}  // namespace hfd::http::openai
