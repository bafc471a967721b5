// One generation on one slot: the slot's session and the tokens its KV cache holds, so a
// prompt that starts with them (the next turn of a conversation) only prefills the rest.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/runtime/generator.h"
#include "engine/runtime/session.h"
#include "engine/sampling/sampling_params.h"
#include "engine/sampling/stop_checker.h"
#include "engine/tokenizer/tokenizer.h"
#include "hfd/status.h"

namespace hfd::serve {

// One generation's result on a slot: the engine's result plus how much of the prompt
// came from the slot's KV cache.
struct SlotRun {
  runtime::GenerateResult result;
  int32_t prompt_tokens = 0;
  int32_t cached_tokens = 0;  // prompt tokens reused from the slot's KV cache or the prefix cache
};

// "eos", "stop", "length", "context" (protocol names), "cancelled" for kNone.
std::string_view StopReasonWireName(sampling::StopReason reason);

// A session (its own, or a sequence of the model's shared batch) and what it has
// processed. Used by one thread at a time.
struct Slot {
  std::unique_ptr<runtime::TokenSession> session;
  std::vector<int32_t> processed;  // the tokens at positions 0 .. session->position()
};

// How many leading tokens `a` and `b` share.
int32_t CommonPrefix(const std::vector<int32_t>& a, const std::vector<int32_t>& b);

// Rewinds the slot to the longest common prefix of what it processed and the prompt (at
// most prompt length - 1, so there are logits to sample from), feeds the rest and
// generates. On an engine error the slot starts over next time. The session is told it is
// idle after.
Result<SlotRun> RunGeneration(Slot& slot, const tok::Tokenizer& tokenizer,
                              const runtime::GenerateRequest& request,
                              const runtime::TextSink& sink);

// Embeds `inputs` (token ids per text) in one batch on the slot's session, which must be
// a runtime::Session of its own; the slot's KV cache holds nothing reusable after.
Result<std::vector<std::vector<float>>> RunEmbedding(
    Slot& slot, const std::vector<std::vector<int32_t>>& inputs, bool normalize);

}  // namespace hfd::serve
