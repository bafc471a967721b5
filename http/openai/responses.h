// OpenAI's response objects for one request: `chat.completion` / `text_completion` whole,
// or streamed as server-sent events: `data: {chunk}` for each piece of text, a last chunk
// with `finish_reason`, a usage chunk when stream_options.include_usage asked for it,
// then `data: [DONE]`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hfd/status.h"
#include "serve/service.h"

namespace hfd::http::openai {

class ResponseShape {
 public:
  // `logprobs`: the request asked for log-probabilities (else `logprobs` is null).
  ResponseShape(bool chat, std::string model, bool include_usage, bool logprobs);

  // One streamed piece of text, as an SSE event, with the log-probabilities of the tokens
  // that produced it.
  std::string TextEvent(std::string_view text, std::span<const runtime::TokenLogprobs> logprobs);
  // One streamed piece of a harmony model's (gpt-oss) reasoning, as an SSE event: a chat
  // delta's `reasoning_content`, as llama.cpp's server and vLLM stream it.
  std::string ThinkingEvent(std::string_view thinking);
  // The end of a stream: the finish chunk (with the log-probabilities of the tokens no text
  // event reported: an end-of-sequence, a held-back stop string), the usage chunk if asked,
  // `[DONE]`.
  std::string FinalEvents(const serve::Completion& completion);
  // A failure after the stream began (OpenAI's clients raise it as an APIError).
  static std::string ErrorEvent(const Status& error);
  // The whole answer of a request that did not stream; a chat message carries the
  // reasoning, if any, as `reasoning_content`.
  nlohmann::json Whole(const serve::Completion& completion);

 private:
  nlohmann::json Chunk(nlohmann::json choice) const;
  // The logprobs object for `tokens` in this endpoint's form, counting them as reported.
  nlohmann::json Logprobs(std::span<const runtime::TokenLogprobs> tokens);

  const bool chat_;
  const std::string model_;
  const bool include_usage_;
  const std::string id_;
  const std::int64_t created_;
  const bool logprobs_;
  bool sent_role_ = false;
  std::size_t reported_tokens_ = 0;  // log-probabilities sent in text events
  std::size_t text_offset_ = 0;      // the legacy form's offset after those tokens' pieces
};

// OpenAI's finish_reason for hfd's stop reason: "length" when the token limit or the
// context ended it, else "stop".
const char* FinishReason(const std::string& stop_reason);

}  // namespace hfd::http::openai
