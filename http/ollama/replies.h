// Ollama's response objects: NDJSON lines of a generate/chat stream and their final
// object (done_reason and the durations in nanoseconds), the model descriptions of
// /api/tags, /api/ps and /api/show, and errors as {"error": "..."}.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hfd/status.h"
#include "http/message.h"
#include "http/model_catalog.h"
#include "serve/service.h"

namespace hfd::http::ollama {

Reply ErrorReply(const Status& error);
// One NDJSON line.
std::string Line(const nlohmann::json& object);
// Now as Ollama writes times: RFC 3339 in UTC with nanoseconds.
std::string Timestamp();
std::string Timestamp(std::int64_t unix_seconds);

// A piece of a generate (`response`) or chat (`message`) answer, not done.
nlohmann::json Piece(const std::string& model, bool chat, std::string_view text);
// A piece of a harmony model's (gpt-oss) reasoning: `thinking` (generate) or
// `message.thinking` (chat), beside an empty answer piece.
nlohmann::json ThinkingPiece(const std::string& model, bool chat, std::string_view thinking);
// Adds a whole answer's reasoning to its final object, where the piece puts it.
void AddThinking(nlohmann::json& out, bool chat, const std::string& thinking);
// The final object: `text` (empty when streamed), done_reason, counts and durations.
nlohmann::json Final(const std::string& model, bool chat, const serve::Completion& c,
                     std::string_view text);

// `details` of a model entry.
nlohmann::json Details(const std::string& quant);

}  // namespace hfd::http::ollama
