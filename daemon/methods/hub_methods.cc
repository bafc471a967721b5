// `pull`, `list` and `rm`: the Hub client (hub/) behind the socket. Pulls run on the
// worker pool, stream `progress` notifications and stop on `cancel` (partial data is kept
// for the next pull to resume). Tokens given with a pull are used for it only: never
// stored, logged or returned. `pull` with `detach` replies at once and goes on in the
// background; `pulls` shows running and recent pulls.
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>

#include "daemon/methods/hub_access.h"
#include "daemon/methods/methods.h"
#include "hub/cache_admin.h"
#include "hub/pull_registry.h"
#include "proto/params.h"

namespace hfd::daemon {
namespace {

// An optional array of strings (glob lists).
Result<std::vector<std::string>> StringList(const nlohmann::json& params, const char* name) {
  std::vector<std::string> out;
  auto it = params.find(name);
  if (it == params.end() || it->is_null()) return out;
  if (!it->is_array() || it->size() > 256) {
    return InvalidArgument(std::string("param '") + name + "' must be an array of strings");
  }
  for (const nlohmann::json& item : *it) {
    if (!item.is_string() || item.get<std::string>().size() > 1024) {
      return InvalidArgument(std::string("param '") + name + "' must be an array of strings");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<hub::PullOptions> ParsePullOptions(const nlohmann::json& params) {
  hub::PullOptions options;
  HFD_ASSIGN_OR_RETURN(options.include, StringList(params, "include"));
  HFD_ASSIGN_OR_RETURN(options.exclude, StringList(params, "exclude"));
  HFD_ASSIGN_OR_RETURN(std::optional<bool> force, proto::OptionalBool(params, "force"));
  options.force = force.value_or(false);
  HFD_ASSIGN_OR_RETURN(std::optional<std::string> token,
                       proto::OptionalString(params, "token", 4096));
  if (token && !token->empty()) options.token = *token;
  return options;
}

nlohmann::json PullResultJson(const hub::PullResult& r) {
  return {{"model", r.repo_id},
          {"revision", r.revision},
          {"commit", r.commit},
          {"snapshot_dir", r.snapshot_dir.string()},
          {"files", r.files},
          {"total_bytes", r.total_bytes},
          {"downloaded_bytes", r.downloaded_bytes},
          {"from_cache", r.from_cache},
          {"offline", r.offline},
          {"warnings", r.warnings}};
}

nlohmann::json CachedModelJson(const hub::CachedModel& m) {
  nlohmann::json revisions = nlohmann::json::array();
  for (const hub::CachedRevision& rev : m.revisions) {
    revisions.push_back({{"commit", rev.commit},
                         {"refs", rev.refs},
                         {"size", rev.size},
                         {"files", rev.files},
                         {"last_used", rev.last_used}});
  }
  return {{"id", m.repo_id},
          {"path", m.path.string()},
          {"size", m.size_on_disk},
          {"last_used", m.last_used},
          {"revisions", revisions}};
}

Result<hub::ModelRef> ModelParam(const nlohmann::json& params) {
  HFD_ASSIGN_OR_RETURN(std::string model, proto::RequiredString(params, "model", 512));
  return hub::ParseModelRef(model);
}

double UnixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

nlohmann::json PullRecordJson(const hub::PullRecord& r) {
  nlohmann::json out{{"id", r.id},
                     {"model", r.model},
                     {"detached", r.detached},
                     {"state", hub::PullStateName(r.state)},
                     {"started", UnixSeconds(r.started)},
                     {"progress", PullProgressJson(r.progress)}};
  if (r.state != hub::PullRecord::State::kRunning) out["ended"] = UnixSeconds(r.ended);
  if (!r.error.ok()) {
    out["error"] = {{"code", std::string(ErrorCodeName(r.error.code()))},
                    {"message", r.error.message()}};
  }
  return out;
}

// Runs one pull, recorded in `pulls`. Attached pulls stream progress to the client and stop
// on its cancel or disconnect; detached ones reply at once and stop only at shutdown.
void Pull(const std::shared_ptr<const HubAccess>& state,
          const std::shared_ptr<hub::PullRegistry>& pulls, metrics::Registry& metrics,
          const std::shared_ptr<RequestContext>& ctx) {
  struct Request {
    hub::ModelRef ref;
    hub::PullOptions options;
    bool detach = false;
  };
  const auto parse = [&]() -> Result<Request> {
    HFD_RETURN_IF_ERROR(state->config_error);
    HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(
        ctx->params(), {"model", "include", "exclude", "force", "token", "detach"}));
    Request request;
    HFD_ASSIGN_OR_RETURN(request.ref, ModelParam(ctx->params()));
    HFD_ASSIGN_OR_RETURN(request.options, ParsePullOptions(ctx->params()));
    HFD_ASSIGN_OR_RETURN(std::optional<bool> detach, proto::OptionalBool(ctx->params(), "detach"));
    request.detach = detach.value_or(false);
    return request;
  };
  Result<Request> parsed = parse();
  if (!parsed.ok()) return ctx->ReplyError(parsed.status());
  const hub::ModelRef& ref = parsed->ref;
  const bool detach = parsed->detach;
  const hub::PullRegistry::Ticket ticket = pulls->Start(ref.ToString(), detach);
  if (detach) {
    ctx->Reply({{"model", ref.ToString()}, {"detached", true}, {"pull_id", ticket.id}});
  }
  DownloadMeter meter(metrics);
  const hub::ProgressFn progress = [&](const hub::PullProgress& p) {
    meter.Observe(p);
    pulls->Update(ticket.id, p);
    if (!detach) ctx->Notify("progress", PullProgressJson(p));
  };
  Result<hub::PullResult> result = state->puller->Pull(
      ref, parsed->options, progress, detach ? ticket.cancel.get() : &ctx->cancel_flag());
  pulls->Finish(ticket.id, result.status());
  if (detach) {
    if (!result.ok()) {
      spdlog::warn("detached pull {} of {} failed: {}", ticket.id, ref.ToString(),
                   result.status().ToString());
    }
  } else if (result.ok()) {
    ctx->Reply(PullResultJson(*result));
  } else {
    ctx->ReplyError(result.status());
  }
}

Result<nlohmann::json> List(const HubAccess& state, RequestContext& ctx) {
  HFD_RETURN_IF_ERROR(state.config_error);
  HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(ctx.params(), {}));
  const auto& cache_dir = state.puller->config().cache_dir;
  HFD_ASSIGN_OR_RETURN(std::vector<hub::CachedModel> models, hub::ListCache(cache_dir));
  nlohmann::json out = nlohmann::json::array();
  for (const hub::CachedModel& m : models) out.push_back(CachedModelJson(m));
  return nlohmann::json{{"cache_dir", cache_dir.string()},
                        {"token_source", hub::TokenSourceName(state.token_source)},
                        {"models", out}};
}

Result<nlohmann::json> Remove(const HubAccess& state, RequestContext& ctx) {
  HFD_RETURN_IF_ERROR(state.config_error);
  HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(ctx.params(), {"model"}));
  HFD_ASSIGN_OR_RETURN(hub::ModelRef ref, ModelParam(ctx.params()));
  HFD_RETURN_IF_ERROR(hub::RemoveFromCache(state.puller->config().cache_dir, ref));
  return nlohmann::json{{"removed", ref.ToString()}};
}

}  // namespace

Status RegisterHubMethods(MethodRegistry& registry, DaemonServices& services) {
  auto state = std::make_shared<const HubAccess>(MakeHubAccess(services.config));
  services.hub_token_source = hub::TokenSourceName(state->token_source);
  auto pulls = std::make_shared<hub::PullRegistry>();
  services.shutdown_hooks.push_back([pulls] { pulls->CancelAll(); });
  services.idle_vetoes.push_back([pulls] { return pulls->AnyRunning(); });
  HFD_RETURN_IF_ERROR(registry.Add({"pull", true, Execution::kWorker,
                                    [state, pulls, &services](std::shared_ptr<RequestContext> ctx) {
                                      Pull(state, pulls, services.metrics, ctx);
                                    }}));
  HFD_RETURN_IF_ERROR(registry.Add({"pulls", false, Execution::kLoop,
                                    Sync([pulls](RequestContext& ctx) -> Result<nlohmann::json> {
                                      HFD_RETURN_IF_ERROR(
                                          proto::RejectUnknownParams(ctx.params(), {}));
                                      nlohmann::json out = nlohmann::json::array();
                                      for (const hub::PullRecord& r : pulls->Snapshot())
                                        out.push_back(PullRecordJson(r));
                                      return nlohmann::json{{"pulls", out}};
                                    })}));
  HFD_RETURN_IF_ERROR(
      registry.Add({"list", false, Execution::kWorker,
                    Sync([state](RequestContext& ctx) { return List(*state, ctx); })}));
  return registry.Add({"rm", true, Execution::kWorker,
                       Sync([state](RequestContext& ctx) { return Remove(*state, ctx); })});
}

}  // namespace hfd::daemon
