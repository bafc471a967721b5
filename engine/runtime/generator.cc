#include "engine/runtime/generator.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include <fmt/format.h>

#include "engine/runtime/top_logits.h"
#include "engine/sampling/sampler.h"
#include "engine/tokenizer/tokenizer.h"

namespace hfd::runtime {

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Greedy without penalties: the argmax graph gives the same token as the sampler would.
bool PlainGreedy(const sampling::SamplingParams& p) {
  return p.temperature == 0.0f && p.repetition_penalty == 1.0f && p.presence_penalty == 0.0f &&
         p.frequency_penalty == 0.0f;
}

TokenLogprob Entry(const tok::Tokenizer& tokenizer, int32_t id, float logit, float logsumexp) {
  return {id, std::string(tokenizer.TokenToPiece(id)), logit - logsumexp};
}

// The chosen token's log-probability and the first `n` of `top` (found on the same row).
// The chosen token may be missing from `top` (sampled, or n smaller than its rank).
TokenLogprobs Describe(const tok::Tokenizer& tokenizer, const TopLogits& top, int32_t n,
                       int32_t chosen, float chosen_logit) {
  TokenLogprobs out;
  out.chosen = Entry(tokenizer, chosen, chosen_logit, top.logsumexp);
  const size_t kept = std::min(top.ids.size(), static_cast<size_t>(n));
  out.top.reserve(kept);
  for (size_t i = 0; i < kept; ++i) {
    out.top.push_back(Entry(tokenizer, top.ids[i], top.logits[i], top.logsumexp));
  }
  return out;
}

}  // namespace

double GenerateResult::PrefillRate(int32_t prefilled) const {
  return prefill_seconds > 0 ? prefilled / prefill_seconds : 0.0;
}

double GenerateResult::DecodeRate() const {
  const auto later = static_cast<double>(tokens.size()) - 1;
  return decode_seconds > 0 && later > 0 ? later / decode_seconds : 0.0;
}

Result<GenerateResult> Generate(TokenSession& session, const tok::Tokenizer& tokenizer,
                                const GenerateRequest& request, const TextSink& sink) {
  if (request.prompt.empty()) return InvalidArgument("the prompt has no tokens");
  const std::optional<int32_t> n_top = request.top_logprobs;
  if (n_top && (*n_top < 0 || *n_top > kMaxTopLogits)) {
    return InvalidArgument(
        fmt::format("top_logprobs must be 0 to {}, not {}", kMaxTopLogits, *n_top));
  }
  HFD_ASSIGN_OR_RETURN(sampling::Sampler sampler, sampling::Sampler::Create(request.params));
  const bool greedy = PlainGreedy(request.params);
  sampling::StopChecker stop({request.eos_ids, request.params.stop, request.params.max_tokens,
                              session.n_ctx() - session.position(),
                              static_cast<int32_t>(request.prompt.size())});
  tok::StreamDecoder decoder(tokenizer);
  std::vector<int32_t> history = request.prompt;
  std::vector<float> logits;            // the sampler's writable copy
  std::optional<TokenLogprobs> chosen;  // the next token's log-probabilities, when asked
  // Log-probabilities come from the raw row, before the sampler changes its copy.
  const auto choose = [&](std::span<const float> row) -> Result<int32_t> {
    logits.assign(row.begin(), row.end());
    HFD_ASSIGN_OR_RETURN(const int32_t id, sampler.Sample(logits, history));
    if (n_top) chosen = Describe(tokenizer, FindTopLogits(row, *n_top), *n_top, id, row[id]);
    return id;
  };

  GenerateResult result;
  const auto start = std::chrono::steady_clock::now();
  HFD_ASSIGN_OR_RETURN(std::span<const float> first, session.Feed(request.prompt));
  HFD_ASSIGN_OR_RETURN(int32_t next, choose(first));
  result.prefill_seconds = SecondsSince(start);
  const auto decode_start = std::chrono::steady_clock::now();

  while (true) {
    result.tokens.push_back(next);
    history.push_back(next);
    sampling::StopChecker::Step step = stop.OnToken(next, decoder.Push(next));
    if (step.reason != sampling::StopReason::kNone &&
        step.reason != sampling::StopReason::kStopString) {
      step.text += decoder.Flush();  // an incomplete character at the end, as U+FFFD
    }
    result.text += step.text;
    if (chosen) {
      result.logprobs.push_back(std::move(*chosen));
      chosen.reset();
    }
    if (!sink(step.text, next, n_top ? &result.logprobs.back() : nullptr)) {
      result.cancelled = true;
      break;
    }
    if (step.reason != sampling::StopReason::kNone) {
      result.stop_reason = step.reason;
      break;
    }
    if (greedy && n_top) {
      HFD_ASSIGN_OR_RETURN(const TopLogits top, session.FeedTopLogits(next));
      chosen = Describe(tokenizer, top, *n_top, top.ids[0], top.logits[0]);
      next = top.ids[0];
    } else if (greedy) {
      HFD_ASSIGN_OR_RETURN(next, session.FeedGreedy(next));
    } else {
      HFD_ASSIGN_OR_RETURN(std::span<const float> row,
                           session.Feed(std::span<const int32_t>(&next, 1)));
      HFD_ASSIGN_OR_RETURN(next, choose(row));
    }
  }
  result.decode_seconds = SecondsSince(decode_start);
  return result;
}

}  // namespace hfd::runtime
