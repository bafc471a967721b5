// `pull`, `pulls`, `list` and `rm`: the serving core's Hub side behind the socket. Pulls
// run on the service's threads, stream `progress` notifications and stop on `cancel`
// (partial data is kept for the next pull to resume). Tokens given with a pull are used
// for it only: never stored, logged or returned. `pull` with `detach` replies at once and
// goes on in the background; `pulls` shows running and recent pulls, those that `run` and
// `load` started included.
#include <chrono>
#include <memory>

#include "daemon/methods/hub_access.h"
#include "daemon/methods/methods.h"
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
  HFD_ASSIGN_OR_RETURN(std::optional<bool> offline, proto::OptionalBool(params, "offline"));
  options.offline = offline.value_or(false);
  return options;
}

nlohmann::json PullResultJson(const hub::PullResult& r) {
  return {{"model", r.repo_id},
          {"revision", r.revision},
          {"commit", r.commit},
          {"snapshot_dir", r.snapshot_dir.string()},
          {"files", r.files},
          {"quant", r.quant},
          {"quant_picked", r.quant_picked},
          {"total_bytes", r.total_bytes},
          {"downloaded_bytes", r.downloaded_bytes},
          {"from_cache", r.from_cache},
          {"offline", r.offline},
          {"warnings", r.warnings}};
}

nlohmann::json CachedModelJson(const hub::CachedModel& m) {
  nlohmann::json revisions = nlohmann::json::array();
  for (const hub::CachedRevision& rev : m.revisions) {
    nlohmann::json quants = nlohmann::json::array();
    for (const hub::GgufModel& q : rev.quants) {
      quants.push_back({{"quant", q.quant}, {"files", q.files}, {"size", q.bytes}});
    }
    revisions.push_back({{"commit", rev.commit},
                         {"refs", rev.refs},
                         {"size", rev.size},
                         {"files", rev.files},
                         {"last_used", rev.last_used},
                         {"quants", std::move(quants)}});
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
                     {"clients", r.clients},
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

void Pull(DaemonServices& services, const std::shared_ptr<RequestContext>& ctx) {
  const auto parse = [&]() -> Result<serve::PullRequest> {
    HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(
        ctx->params(), {"model", "include", "exclude", "force", "token", "offline", "detach"}));
    serve::PullRequest request;
    HFD_ASSIGN_OR_RETURN(request.ref, ModelParam(ctx->params()));
    HFD_ASSIGN_OR_RETURN(request.options, ParsePullOptions(ctx->params()));
    HFD_ASSIGN_OR_RETURN(std::optional<bool> detach, proto::OptionalBool(ctx->params(), "detach"));
    request.detach = detach.value_or(false);
    return request;
  };
  Result<serve::PullRequest> request = parse();
  if (!request.ok()) return ctx->ReplyError(request.status());
  const std::string model = request->ref.ToString();
  serve::ServeEvents events;
  events.on_progress = [ctx](const hub::PullProgress& p) {
    ctx->Notify("progress", PullProgressJson(p));
  };
  events.on_notice = [ctx](const std::string& notice) {
    ctx->Notify("notice", {{"message", notice}});
  };
  services.service->Pull(services.policy.CallerOf(ctx->peer()), std::move(request).value(),
                         std::move(events), &ctx->cancel_flag(),
                         [ctx, model](Result<serve::PullAnswer> answer) {
                           if (!answer.ok()) return ctx->ReplyError(answer.status());
                           if (answer->detached_id) {
                             return ctx->Reply({{"model", model},
                                                {"detached", true},
                                                {"pull_id", *answer->detached_id},
                                                {"joined", answer->joined}});
                           }
                           nlohmann::json result = PullResultJson(answer->result);
                           result["joined"] = answer->joined;
                           ctx->Reply(result);
                         });
}

Result<nlohmann::json> Pulls(DaemonServices& services, RequestContext& ctx) {
  HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(ctx.params(), {}));
  HFD_ASSIGN_OR_RETURN(std::vector<hub::PullRecord> records,
                       services.service->Pulls(services.policy.CallerOf(ctx.peer())));
  nlohmann::json out = nlohmann::json::array();
  for (const hub::PullRecord& r : records) out.push_back(PullRecordJson(r));
  return nlohmann::json{{"pulls", out}};
}

Result<nlohmann::json> List(DaemonServices& services, RequestContext& ctx) {
  HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(ctx.params(), {}));
  HFD_ASSIGN_OR_RETURN(serve::CacheListing listing,
                       services.service->List(services.policy.CallerOf(ctx.peer())));
  nlohmann::json out = nlohmann::json::array();
  for (const hub::CachedModel& m : listing.models) out.push_back(CachedModelJson(m));
  return nlohmann::json{{"cache_dir", listing.cache_dir.string()},
                        {"token_source", listing.token_source},
                        {"models", out}};
}

Result<nlohmann::json> Remove(DaemonServices& services, RequestContext& ctx) {
  HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(ctx.params(), {"model", "force"}));
  HFD_ASSIGN_OR_RETURN(hub::ModelRef ref, ModelParam(ctx.params()));
  HFD_ASSIGN_OR_RETURN(std::optional<bool> force, proto::OptionalBool(ctx.params(), "force"));
  HFD_ASSIGN_OR_RETURN(serve::RemoveAnswer removed,
                       services.service->Remove(services.policy.CallerOf(ctx.peer()),
                                                ref.ToString(), force.value_or(false)));
  return nlohmann::json{{"removed", removed.removed},
                        {"files", removed.files},
                        {"freed_bytes", removed.freed_bytes},
                        {"unloaded", removed.unloaded}};
}

}  // namespace

Status RegisterHubMethods(MethodRegistry& registry, DaemonServices& services) {
  services.hub_token_source = services.service->token_source();
  HFD_RETURN_IF_ERROR(registry.Add(
      {"pull", serve::Rights::kManage, Execution::kLoop,
       [&services](const std::shared_ptr<RequestContext>& ctx) { Pull(services, ctx); }}));
  HFD_RETURN_IF_ERROR(
      registry.Add({"pulls", serve::Rights::kRead, Execution::kLoop,
                    Sync([&services](RequestContext& ctx) { return Pulls(services, ctx); })}));
  HFD_RETURN_IF_ERROR(
      registry.Add({"list", serve::Rights::kRead, Execution::kWorker,
                    Sync([&services](RequestContext& ctx) { return List(services, ctx); })}));
  return registry.Add({"rm", serve::Rights::kManage, Execution::kWorker,
                       Sync([&services](RequestContext& ctx) { return Remove(services, ctx); })});
}

}  // namespace hfd::daemon
