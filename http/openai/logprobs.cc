#include "http/openai/logprobs.h"

#include "engine/tokenizer/unicode.h"
#include "serve/logprobs_json.h"

namespace hfd::http::openai {

nlohmann::json ChatLogprobs(std::span<const runtime::TokenLogprobs> tokens) {
  return {{"content", serve::LogprobsJson(tokens)}};
}

nlohmann::json TextLogprobs(std::span<const runtime::TokenLogprobs> tokens, std::size_t& offset) {
  nlohmann::json out = {{"tokens", nlohmann::json::array()},
                        {"token_logprobs", nlohmann::json::array()},
                        {"top_logprobs", nlohmann::json::array()},
                        {"text_offset", nlohmann::json::array()}};
  for (const runtime::TokenLogprobs& t : tokens) {
    out["tokens"].push_back(tok::SanitizeUtf8(t.chosen.piece));
    out["token_logprobs"].push_back(t.chosen.logprob);
    // A map by token text: two pieces that sanitize alike keep the likelier (listed first).
    nlohmann::json top = nlohmann::json::object();
    for (const runtime::TokenLogprob& alt : t.top) {
      top.emplace(tok::SanitizeUtf8(alt.piece), alt.logprob);
    }
    out["top_logprobs"].push_back(std::move(top));
    out["text_offset"].push_back(offset);
    offset += t.chosen.piece.size();
  }
  return out;
}

}  // namespace hfd::http::openai
