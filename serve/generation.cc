#include "serve/generation.h"

#include <algorithm>
#include <span>

#include "engine/runtime/generator.h"

namespace hfd::serve {

std::string_view StopReasonWireName(sampling::StopReason reason) {
  switch (reason) {
    case sampling::StopReason::kEos:
      return "eos";
    case sampling::StopReason::kStopString:
      return "stop";
    case sampling::StopReason::kMaxTokens:
      return "length";
    case sampling::StopReason::kContextLimit:
      return "context";
    case sampling::StopReason::kNone:
      break;
  }
  return "cancelled";
}

int32_t CommonPrefix(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  const auto mismatch = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  return static_cast<int32_t>(mismatch.first - a.begin());
}

Result<SlotRun> RunGeneration(Slot& slot, const tok::Tokenizer& tokenizer,
                              const runtime::GenerateRequest& request,
                              const runtime::TextSink& sink) {
  if (request.prompt.empty()) return InvalidArgument("the prompt has no tokens");
  runtime::TokenSession& session = *slot.session;
  const auto prompt_size = static_cast<int32_t>(request.prompt.size());
  HFD_RETURN_IF_ERROR(
      session.Rewind(std::min(CommonPrefix(slot.processed, request.prompt), prompt_size - 1)));
  const int32_t reuse = session.position();  // a shared batch may keep fewer (Rewind)
  slot.processed.resize(static_cast<size_t>(reuse));
  const int64_t reused_before = session.reused_prefix_tokens();

  runtime::GenerateRequest rest;
  rest.prompt.assign(request.prompt.begin() + reuse, request.prompt.end());
  rest.params = request.params;
  rest.eos_ids = request.eos_ids;
  rest.top_logprobs = request.top_logprobs;
  Result<runtime::GenerateResult> result = runtime::Generate(session, tokenizer, rest, sink);
  session.Idle();
  if (!result.ok()) {
    slot.processed.clear();  // the cache may hold part of the prompt: start over next time
    if (Status s = session.Rewind(0); !s.ok()) return s;
    return result.status();
  }
  // The session holds the prompt and every generated token but the last one.
  slot.processed = request.prompt;
  slot.processed.insert(slot.processed.end(), result->tokens.begin(), result->tokens.end());
  slot.processed.resize(static_cast<size_t>(session.position()));

  SlotRun out;
  out.prompt_tokens = prompt_size;
  // The slot's own tokens and those the prefix cache held (serve's shared batch).
  out.cached_tokens = reuse + static_cast<int32_t>(session.reused_prefix_tokens() - reused_before);
  out.result = std::move(result).value();
  return out;
}

Result<std::vector<std::vector<float>>> RunEmbedding(
    Slot& slot, const std::vector<std::vector<int32_t>>& inputs, bool normalize) {
  slot.processed.clear();
  auto* own = dynamic_cast<runtime::Session*>(slot.session.get());
  if (own == nullptr) {
    return Internal("embedding runs on a session of its own, not on a shared batch's sequence");
  }
  return own->Embed(inputs, normalize);
}

}  // namespace hfd::serve
