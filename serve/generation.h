// One generation on one slot: the slot's session and the tokens its KV cache holds, so a
// prompt that starts with them (the next turn of a conversation) only prefills the rest.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/runtime/session.h"
#include "engine/sampling/sampling_params.h"
#include "engine/sampling/stop_checker.h"
#include "engine/tokenizer/tokenizer.h"
#include "hfd/status.h"

namespace hfd::serve {

struct GenerationRequest {
  std::vector<int32_t> prompt;  // the whole prompt, at least one token
  sampling::SamplingParams params;
  std::vector<int32_t> eos_ids;  // the tokenizer's end ids plus, for chat, end-of-turn ids
};

struct GenerationOutcome {
  std::string text;
  int32_t prompt_tokens = 0;
  int32_t cached_tokens = 0;  // prompt tokens reused from the slot's KV cache
  int32_t completion_tokens = 0;
  sampling::StopReason stop_reason = sampling::StopReason::kNone;
  bool cancelled = false;
  double prefill_seconds = 0;  // the uncached prompt and the first token
  double decode_seconds = 0;   // every later token
};

// "eos", "stop", "length", "context" (protocol names), "cancelled" for kNone.
std::string_view StopReasonWireName(sampling::StopReason reason);

// A session and what it has processed. Used by one thread at a time.
struct Slot {
  std::unique_ptr<runtime::Session> session;
  std::vector<int32_t> processed;  // the tokens at positions 0 .. session->position()
};

// Called per generated token with the text that became final (possibly empty); returns
// false to cancel.
using TokenSink = std::function<bool(std::string_view text, int32_t token)>;

// Rewinds the slot to the longest common prefix of what it processed and the prompt (at
// most prompt length - 1, so there are logits to sample from), feeds the rest and
// generates. On an engine error the slot starts over next time.
Result<GenerationOutcome> RunGeneration(Slot& slot, const tok::Tokenizer& tokenizer,
                                        const GenerationRequest& request, const TokenSink& sink);

}  // namespace hfd::serve
