#include "serve/logprobs_json.h"

#include <string>

#include "engine/tokenizer/unicode.h"

namespace hfd::serve {
namespace {

nlohmann::json Entry(const runtime::TokenLogprob& t) {
  nlohmann::json bytes = nlohmann::json::array();
  for (unsigned char c : t.piece) bytes.push_back(c);
  return {{"token", tok::SanitizeUtf8(t.piece)}, {"logprob", t.logprob}, {"bytes", bytes}};
}

}  // namespace

nlohmann::json LogprobsJson(std::span<const runtime::TokenLogprobs> tokens) {
  nlohmann::json out = nlohmann::json::array();
  for (const runtime::TokenLogprobs& t : tokens) {
    nlohmann::json entry = Entry(t.chosen);
    entry["top_logprobs"] = nlohmann::json::array();
    for (const runtime::TokenLogprob& alt : t.top) entry["top_logprobs"].push_back(Entry(alt));
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace hfd::serve
