// OpenAI's response objects for one request: `chat.completion` / `text_completion` whole,
// or streamed as server-sent events: `data: {chunk}` for each piece of text, a last chunk
// with `finish_reason`, a usage chunk when stream_options.include_usage asked for it,
// then `data: [DONE]`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hfd/status.h"
#include "serve/service.h"

namespace hfd::http::openai {

class ResponseShape {
 public:
  ResponseShape(bool chat, std::string model, bool include_usage);

  // One streamed piece of text, as an SSE event.
  std::string TextEvent(std::string_view text);
  // The end of a stream: the finish chunk, the usage chunk if asked, `[DONE]`.
  std::string FinalEvents(const serve::Completion& completion) const;
  // A failure after the stream began (OpenAI's clients raise it as an APIError).
  static std::string ErrorEvent(const Status& error);
  // The whole answer of a request that did not stream.
  nlohmann::json Whole(const serve::Completion& completion) const;

 private:
  nlohmann::json Chunk(nlohmann::json choice) const;

  const bool chat_;
  const std::string model_;
  const bool include_usage_;
  const std::string id_;
  const std::int64_t created_;
  bool sent_role_ = false;
};

// OpenAI's finish_reason for hfd's stop reason: "length" when the token limit or the
// context ended it, else "stop".
const char* FinishReason(const std::string& stop_reason);

}  // namespace hfd::http::openai
