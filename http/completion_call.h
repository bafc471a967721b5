// One generate/chat of an HTTP request through the serving core, counted in the llm_*
// metrics and ai_completion spans under the door's `api` label exactly as the MessagePack
// door counts its own. The API translators say what to write; this runs the request and
// feeds their output to the request's Exchange.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "daemon/services.h"
#include "http/exchange.h"
#include "http/message.h"
#include "serve/service.h"

namespace hfd::http {

struct CompletionWriters {
  // Streamed text with the log-probabilities of the tokens that produced it, when asked
  // (absent: the answer is written whole by on_done).
  std::function<void(Exchange&, std::string_view text,
                     std::span<const runtime::TokenLogprobs> logprobs)>
      on_text;
  // Streamed reasoning of a harmony model (gpt-oss's analysis channel), which on_text and
  // Completion::text leave out (absent: not streamed; Completion::thinking still has it).
  std::function<void(Exchange&, std::string_view thinking)> on_thinking;
  // The request succeeded: write the rest of the body (the End follows).
  std::function<void(Exchange&, const serve::Completion&)> on_done;
  // The request failed after the answer was committed: say so in the body.
  std::function<void(Exchange&, const Status&)> on_late_error;
};

// Starts `completion` for `request` and returns its Exchange at once. A request that
// fails before its answer is committed ends with Exchange::Fail; `stream` commits the
// answer as soon as the request is queued or produces text.
std::shared_ptr<Exchange> StartCompletion(daemon::DaemonServices& services, const Request& request,
                                          serve::CompletionRequest completion, std::string api,
                                          bool stream, CompletionWriters writers);

// A reasoning model's effort, "low", "medium" or "high" (gpt-oss's levels, as OpenAI's
// reasoning_effort and Ollama's think name them), as the chat template variable
// `reasoning_effort`; InvalidArgument naming `field` for any other value.
Status SetReasoningEffort(const std::string& effort, const char* field,
                          serve::CompletionRequest& completion);

// Counts a completion request refused before it reached the serving core (bad JSON, a
// wrong parameter), as the MessagePack door counts its own.
void RecordRefusedCompletion(daemon::DaemonServices& services, const Request& request,
                             std::string api, const std::string& model, const Status& error);

// A model name as the HTTP APIs take it, as hfctl takes it: Ollama's Hub form
// `hf.co/org/name:QUANT` (also `huggingface.co/...`) loses its host, and Ollama's default
// tag `:latest` means no quant.
std::string ModelNameOf(std::string_view name);

// A target for `model`: pulled first when it is not cached only for a manage caller with
// http.auto_pull on (others get not_found naming the `hfctl pull` to run).
serve::ModelRequest ModelTarget(const daemon::DaemonServices& services, const Request& request,
                                std::string_view model);

}  // namespace hfd::http
