// `load`, `unload`, `ps`, `generate` and `chat` (docs/protocol.md, "Serving methods"):
// params become serve::Service requests, its events become notifications, its answers
// the reply. The serving logic, the rights checks and the threads are the service's.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "daemon/methods/hub_access.h"
#include "daemon/methods/methods.h"
#include "daemon/methods/serve_json.h"
#include "daemon/methods/serve_params.h"
#include "daemon/methods/serve_telemetry.h"
#include "engine/runtime/top_logits.h"
#include "proto/params.h"
#include "serve/logprobs_json.h"

namespace hfd::daemon {
namespace {

// Notifications for a request that may pull and load a model, then generate.
serve::ServeEvents EventsFor(const std::shared_ptr<RequestContext>& ctx, const std::string& model) {
  serve::ServeEvents events;
  events.on_phase = [ctx, model](std::string_view phase) {
    ctx->Notify("loading", {{"model", model}, {"phase", std::string(phase)}});
  };
  events.on_progress = [ctx](const hub::PullProgress& p) {
    ctx->Notify("progress", PullProgressJson(p));
  };
  // Weak: the model's files keep their store (and this) for later derived weights, such as
  // the CPU backend's copy at its first compile, and must not keep the request alive.
  events.on_building = [weak = std::weak_ptr<RequestContext>(ctx), model](
                           const std::filesystem::path& file, uint64_t written, uint64_t total) {
    if (const std::shared_ptr<RequestContext> ctx = weak.lock()) {
      ctx->Notify("loading", {{"model", model},
                              {"phase", "building"},
                              {"file", file.filename().string()},
                              {"bytes", written},
                              {"total", total}});
    }
  };
  events.on_notice = [ctx](const std::string& notice) {
    ctx->Notify("notice", {{"message", notice}});
  };
  events.on_queued = [ctx](int32_t position) { ctx->Notify("queued", {{"position", position}}); };
  events.on_text = [ctx](std::string_view text, int32_t tokens,
                         std::span<const runtime::TokenLogprobs> logprobs) {
    nlohmann::json params = {{"text", std::string(text)}, {"tokens", tokens}};
    if (!logprobs.empty()) params["logprobs"] = serve::LogprobsJson(logprobs);
    ctx->Notify("token", params);
  };
  events.on_thinking = [ctx](std::string_view thinking) {
    ctx->Notify("thinking", {{"text", std::string(thinking)}});
  };
  return events;
}

void Load(DaemonServices& services, const std::shared_ptr<RequestContext>& ctx) {
  Status valid = RejectUnknownServeParams(ctx->params(), {});
  Result<serve::ModelRequest> request =
      valid.ok() ? ParseModelRequest(ctx->params()) : Result<serve::ModelRequest>(valid);
  if (!request.ok()) return ctx->ReplyError(request.status());
  Result<std::shared_ptr<const io::ModelFileSet>> files =
      TakePassedModelFiles(*ctx, request->model);
  if (!files.ok()) return ctx->ReplyError(files.status());
  request->files = *files;
  services.service->Load(services.policy.CallerOf(ctx->peer()), *request,
                         EventsFor(ctx, request->model), &ctx->cancel_flag(),
                         [ctx](Result<serve::ResidentInfo> info) {
                           if (!info.ok()) return ctx->ReplyError(info.status());
                           ctx->Reply(ResidentJson(*info));
                         });
}

Result<nlohmann::json> Unload(DaemonServices& services, RequestContext& ctx) {
  HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(ctx.params(), {"model"}));
  HFD_ASSIGN_OR_RETURN(std::string model, proto::RequiredString(ctx.params(), "model", 4096));
  HFD_ASSIGN_OR_RETURN(int cancelled,
                       services.service->Unload(services.policy.CallerOf(ctx.peer()), model));
  return nlohmann::json{{"unloaded", model}, {"cancelled_requests", cancelled}};
}

Result<nlohmann::json> Ps(DaemonServices& services, RequestContext& ctx) {
  HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(ctx.params(), {}));
  HFD_ASSIGN_OR_RETURN(serve::PsReport report,
                       services.service->Ps(services.policy.CallerOf(ctx.peer())));
  nlohmann::json models = nlohmann::json::array();
  for (const serve::ResidentInfo& info : report.models) models.push_back(ResidentJson(info));
  return nlohmann::json{{"memory_budget_bytes", report.memory_budget_bytes},
                        {"memory_used_bytes", report.memory_used_bytes},
                        {"models", std::move(models)}};
}

Result<serve::CompletionRequest> ParseCompletion(const nlohmann::json& params, bool chat) {
  std::vector<std::string> extra = {
      "max_tokens",       "temperature",       "top_k",          "top_p", "min_p", "repeat_penalty",
      "presence_penalty", "frequency_penalty", "penalty_last_n", "seed",  "stop",  "top_logprobs"};
  for (const char* name : chat ? std::vector<const char*>{"messages", "variables"}
                               : std::vector<const char*>{"prompt", "raw"}) {
    extra.push_back(name);
  }
  HFD_RETURN_IF_ERROR(RejectUnknownServeParams(params, extra));
  serve::CompletionRequest r;
  r.chat = chat;
  HFD_ASSIGN_OR_RETURN(r.target, ParseModelRequest(params));
  HFD_ASSIGN_OR_RETURN(r.sampling, ParseSamplingParams(params));
  HFD_ASSIGN_OR_RETURN(std::optional<std::int64_t> top, proto::OptionalInt(params, "top_logprobs"));
  if (top && (*top < 0 || *top > runtime::kMaxTopLogits)) {
    return InvalidArgument("param 'top_logprobs' must be an integer from 0 to " +
                           std::to_string(runtime::kMaxTopLogits));
  }
  if (top) r.top_logprobs = static_cast<int32_t>(*top);
  if (!chat) {
    HFD_ASSIGN_OR_RETURN(r.prompt, proto::RequiredString(params, "prompt"));
    HFD_ASSIGN_OR_RETURN(std::optional<bool> raw, proto::OptionalBool(params, "raw"));
    r.raw = raw.value_or(false);
    return r;
  }
  auto messages = params.find("messages");
  if (messages == params.end() || !messages->is_array() || messages->empty()) {
    return InvalidArgument("param 'messages' must be a non-empty array of {role, content}");
  }
  r.messages = *messages;
  if (auto variables = params.find("variables"); variables != params.end()) {
    if (!variables->is_object() && !variables->is_null()) {
      return InvalidArgument("param 'variables' must be an object");
    }
    r.variables = *variables;
  }
  return r;
}

nlohmann::json CompletionJson(const serve::Completion& c, bool chat) {
  nlohmann::json out = {{"model", c.model},
                        {"backend", c.backend},
                        {"device", c.device},
                        {"text", c.text},
                        {"stop_reason", c.stop_reason},
                        {"usage",
                         {{"prompt_tokens", c.prompt_tokens},
                          {"cached_tokens", c.cached_tokens},
                          {"completion_tokens", c.completion_tokens}}},
                        {"timings",
                         {{"load_ms", c.load_ms},
                          {"queue_ms", c.queue_ms},
                          {"ttft_ms", c.ttft_ms},
                          {"total_ms", c.total_ms},
                          {"prompt_tokens_per_second", c.prompt_tokens_per_second},
                          {"tokens_per_second", c.tokens_per_second}}}};
  if (chat) out["message"] = {{"role", "assistant"}, {"content", c.text}};
  if (!c.thinking.empty()) out["thinking"] = c.thinking;
  if (!c.logprobs.empty()) out["logprobs"] = serve::LogprobsJson(c.logprobs);
  return out;
}

void Complete(DaemonServices& services, const std::shared_ptr<ServeTelemetry>& telemetry,
              const std::shared_ptr<RequestContext>& ctx, bool chat) {
  auto record = std::make_shared<CompletionRecord>(RecordOf(*ctx));
  const auto finish = [telemetry, record, ctx](const Status& error) {
    record->error = error;
    telemetry->RecordCompletion(*record);
    ctx->ReplyError(error);
  };
  Result<serve::CompletionRequest> request = ParseCompletion(ctx->params(), chat);
  if (!request.ok()) return finish(request.status());
  Result<std::shared_ptr<const io::ModelFileSet>> files =
      TakePassedModelFiles(*ctx, request->target.model);
  if (!files.ok()) return finish(files.status());
  request->target.files = *files;
  serve::ServeEvents events = EventsFor(ctx, request->target.model);
  events.on_backend = [record](std::string_view backend) { record->backend = backend; };
  services.service->Complete(services.policy.CallerOf(ctx->peer()), *request, std::move(events),
                             &ctx->cancel_flag(),
                             [telemetry, record, ctx, chat, finish](Result<serve::Completion> c) {
                               if (!c.ok()) return finish(c.status());
                               record->output = c->text;
                               record->stop_reason = c->stop_reason;
                               record->prompt_tokens = c->prompt_tokens;
                               record->completion_tokens = c->completion_tokens;
                               telemetry->RecordCompletion(*record);
                               ctx->Reply(CompletionJson(*c, chat));
                             });
}

}  // namespace

Status RegisterServeMethods(MethodRegistry& registry, DaemonServices& services) {
  auto telemetry = std::make_shared<ServeTelemetry>(services);
  services.serve_telemetry = telemetry;
  services.metric_refreshers.push_back(
      [telemetry, &services] { telemetry->Refresh(services.service->manager()); });
  // Handlers only translate: the service answers from its own threads, so these run on
  // the loop and never hold a worker.
  HFD_RETURN_IF_ERROR(registry.Add(
      {"load", serve::Rights::kUse, Execution::kLoop,
       [&services](const std::shared_ptr<RequestContext>& ctx) { Load(services, ctx); }}));
  HFD_RETURN_IF_ERROR(
      registry.Add({"unload", serve::Rights::kManage, Execution::kWorker,
                    Sync([&services](RequestContext& ctx) { return Unload(services, ctx); })}));
  HFD_RETURN_IF_ERROR(
      registry.Add({"ps", serve::Rights::kRead, Execution::kLoop,
                    Sync([&services](RequestContext& ctx) { return Ps(services, ctx); })}));
  for (const bool chat : {false, true}) {
    HFD_RETURN_IF_ERROR(
        registry.Add({chat ? "chat" : "generate", serve::Rights::kUse, Execution::kLoop,
                      [&services, telemetry, chat](const std::shared_ptr<RequestContext>& ctx) {
                        Complete(services, telemetry, ctx, chat);
                      }}));
  }
  return Status::Ok();
}

}  // namespace hfd::daemon
