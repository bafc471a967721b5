// The generation loop over a session (token_session.h): prefill the prompt, then choose and feed
// one token at a time until the stop checker (engine/sampling) reports end-of-sequence, a stop
// string, the token budget or the context limit, or the caller cancels. Greedy requests
// without penalties run the argmax decode graph, so no logits leave the backend (with
// log-probabilities, the top-logits graph: only those leave); others go through the
// Sampler.
//
// Log-probabilities are those of the model's own distribution, log-softmax of the raw
// logits, before penalties, temperature and truncation change it (as OpenAI reports
// them): they describe the model, not the sampling settings.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/runtime/token_session.h"
#include "engine/sampling/sampling_params.h"
#include "engine/sampling/stop_checker.h"

namespace hfd::tok {
class Tokenizer;
}

namespace hfd::runtime {

struct GenerateRequest {
  std::vector<int32_t> prompt;  // at least one token
  sampling::SamplingParams params;
  std::vector<int32_t> eos_ids;  // ids that end generation (normally the tokenizer's)
  // Absent: no log-probabilities. Otherwise each token's, with this many (0 to
  // kMaxTopLogits) of the likeliest tokens at its position.
  std::optional<int32_t> top_logprobs;
};

// A token and its log-probability (natural log) at a position.
struct TokenLogprob {
  int32_t id = 0;
  std::string piece;  // the raw bytes it adds to the text (Tokenizer::TokenToPiece)
  float logprob = 0.0f;
};

struct TokenLogprobs {
  TokenLogprob chosen;
  std::vector<TokenLogprob> top;  // the likeliest tokens, best first
};

// Called once per generated token with the text that became final with it (possibly
// empty: stop strings and split characters are held back until resolved) and, when the
// request asked for them, the token's log-probabilities (else null; valid for the call);
// returns false to cancel. Called on the generating thread.
using TextSink =
    std::function<bool(std::string_view text, int32_t token, const TokenLogprobs* logprobs)>;

struct GenerateResult {
  std::vector<int32_t> tokens;          // generated ids (an ending EOS id included)
  std::vector<TokenLogprobs> logprobs;  // one per token when the request asked for them
  std::string text;                     // everything passed to the sink
  sampling::StopReason stop_reason = sampling::StopReason::kNone;  // kNone when cancelled
  bool cancelled = false;
  double prefill_seconds = 0.0;  // the prompt and the choice of the first token
  double decode_seconds = 0.0;   // every later token

  // Tokens per second of the prefill, over the `prefilled` prompt tokens it computed.
  double PrefillRate(int32_t prefilled) const;
  // Tokens per second of the decode: the first generated token comes from the prefill,
  // so the decode made the others. 0 when it made none.
  double DecodeRate() const;
};

// Runs from the session's current position (normally 0, after Rewind(0)).
// InvalidArgument for bad parameters (top_logprobs included) or a prompt that does not fit
// the context.
Result<GenerateResult> Generate(TokenSession& session, const tok::Tokenizer& tokenizer,
                                const GenerateRequest& request, const TextSink& sink);

}  // namespace hfd::runtime
