// `embed` (docs/protocol.md, "embed"): texts to vectors with an embedding model. Params
// become a serve::EmbedRequest, the answer {model, backend, device, embeddings, usage,
// timings}; counted in the llm_embedding_* metrics and an ai_embedding span.
#include <memory>
#include <string>

#include "daemon/methods/methods.h"
#include "daemon/methods/serve_params.h"
#include "daemon/methods/serve_telemetry.h"
#include "proto/params.h"

namespace hfd::daemon {
namespace {

// At most this many texts per request: each is a row of one batch on the model's slot.
constexpr size_t kMaxInputs = 2048;

Result<serve::EmbedRequest> ParseEmbed(const nlohmann::json& params) {
  HFD_RETURN_IF_ERROR(RejectUnknownServeParams(params, {"input", "truncate", "normalize"}));
  serve::EmbedRequest r;
  HFD_ASSIGN_OR_RETURN(r.target, ParseModelRequest(params));
  const auto input = params.find("input");
  if (input != params.end() && input->is_string()) {
    r.texts.push_back(input->get<std::string>());
  } else if (input != params.end() && input->is_array() && !input->empty() &&
             input->size() <= kMaxInputs) {
    for (const nlohmann::json& text : *input) {
      if (!text.is_string()) return InvalidArgument("param 'input' must hold only strings");
      r.texts.push_back(text.get<std::string>());
    }
  } else {
    return InvalidArgument("param 'input' must be a string or an array of 1 to " +
                           std::to_string(kMaxInputs) + " strings");
  }
  HFD_ASSIGN_OR_RETURN(std::optional<bool> truncate, proto::OptionalBool(params, "truncate"));
  HFD_ASSIGN_OR_RETURN(std::optional<bool> normalize, proto::OptionalBool(params, "normalize"));
  r.truncate = truncate.value_or(true);
  r.normalize = normalize.value_or(true);
  return r;
}

void Embed(DaemonServices& services, const std::shared_ptr<RequestContext>& ctx) {
  auto record = std::make_shared<CompletionRecord>(RecordOf(*ctx));
  std::shared_ptr<ServeTelemetry> telemetry = services.serve_telemetry;
  const auto finish = [telemetry, record, ctx](const Status& error) {
    record->error = error;
    telemetry->RecordEmbedding(*record);
    ctx->ReplyError(error);
  };
  Result<serve::EmbedRequest> request = ParseEmbed(ctx->params());
  if (!request.ok()) return finish(request.status());
  Result<std::shared_ptr<const io::ModelFileSet>> files =
      TakePassedModelFiles(*ctx, request->target.model);
  if (!files.ok()) return finish(files.status());
  request->target.files = *files;
  record->inputs = static_cast<int64_t>(request->texts.size());
  serve::ServeEvents events;
  events.on_queued = [ctx](int32_t position) { ctx->Notify("queued", {{"position", position}}); };
  events.on_backend = [record](std::string_view backend) { record->backend = backend; };
  services.service->Embed(
      services.policy.CallerOf(ctx->peer()), std::move(request).value(), std::move(events),
      &ctx->cancel_flag(), [telemetry, record, ctx, finish](Result<serve::Embeddings> e) {
        if (!e.ok()) return finish(e.status());
        record->prompt_tokens = e->prompt_tokens;
        telemetry->RecordEmbedding(*record);
        ctx->Reply(
            {{"model", e->model},
             {"backend", e->backend},
             {"device", e->device},
             {"embeddings", e->vectors},
             {"usage", {{"prompt_tokens", e->prompt_tokens}}},
             {"timings",
              {{"load_ms", e->load_ms}, {"queue_ms", e->queue_ms}, {"total_ms", e->total_ms}}}});
      });
}

}  // namespace

Status RegisterEmbedMethods(MethodRegistry& registry, DaemonServices& services) {
  return registry.Add(
      {"embed", serve::Rights::kUse, Execution::kLoop,
       [&services](const std::shared_ptr<RequestContext>& ctx) { Embed(services, ctx); }});
}

}  // namespace hfd::daemon
