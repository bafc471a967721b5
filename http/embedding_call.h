// One embed of an HTTP request through the serving core, counted in the llm_embedding_*
// metrics and an ai_embedding span under the door's `api` label, as the MessagePack door
// counts its own. The API translators parse the body and shape the answer.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/services.h"
#include "http/message.h"
#include "serve/service.h"

namespace hfd::http {

struct EmbeddingShape {
  // The answer's body on success.
  std::function<nlohmann::json(const serve::Embeddings&)> body;
  // The door's error reply.
  std::function<Reply(const Status&)> error;
};

// The texts of an `input` field: a string or a non-empty array of strings; InvalidArgument
// naming `input` otherwise.
Result<std::vector<std::string>> EmbeddingInputs(const nlohmann::json& body);

// Runs `embed` and waits for it (the client hanging up cancels it). `model` is the name
// the client sent, for the metrics when `embed` is an error (a refused body).
Reply RunEmbedding(daemon::DaemonServices& services, const Request& request,
                   Result<serve::EmbedRequest> embed, const std::string& model, std::string api,
                   const EmbeddingShape& shape);

}  // namespace hfd::http
