#include "http/ollama/embed.h"

#include <string>

#include "http/completion_call.h"
#include "http/embedding_call.h"
#include "http/ollama/options.h"
#include "http/ollama/replies.h"
#include "proto/params.h"

namespace hfd::http::ollama {
namespace {

int64_t Nanoseconds(double ms) { return static_cast<int64_t>(ms * 1e6); }

Result<serve::EmbedRequest> Parse(const nlohmann::json& body) {
  serve::EmbedRequest r;
  HFD_RETURN_IF_ERROR(ModelField(body).status());
  HFD_ASSIGN_OR_RETURN(r.texts, EmbeddingInputs(body));
  HFD_ASSIGN_OR_RETURN(std::optional<bool> truncate, proto::OptionalBool(body, "truncate"));
  r.truncate = truncate.value_or(true);
  return r;
}

}  // namespace

Reply Embed(daemon::DaemonServices& services, const Request& request) {
  Result<nlohmann::json> body = ParseJsonObject(request.body);
  const std::string model =
      body.ok() && (*body)["model"].is_string() ? (*body)["model"].get<std::string>() : "";
  Result<serve::EmbedRequest> embed = body.ok() ? Parse(*body) : body.status();
  if (embed.ok()) embed->target = ModelTarget(services, request, model);
  EmbeddingShape shape;
  shape.error = ErrorReply;
  shape.body = [model](const serve::Embeddings& e) {
    return nlohmann::json{{"model", model},
                          {"embeddings", e.vectors},
                          {"total_duration", Nanoseconds(e.total_ms + e.load_ms)},
                          {"load_duration", Nanoseconds(e.load_ms)},
                          {"prompt_eval_count", e.prompt_tokens}};
  };
  return RunEmbedding(services, request, std::move(embed), model, "ollama", shape);
}

}  // namespace hfd::http::ollama
