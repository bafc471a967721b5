// `pull`, `list` and `rm`: the Hub client (hub/) behind the socket. Pulls run on the
// worker pool, stream `progress` notifications and stop on `cancel` (partial data is kept
// for the next pull to resume). Tokens given with a pull are used for it only: never
// stored, logged or returned.
#include <memory>

#include "daemon/methods/methods.h"
#include "hub/cache_admin.h"
#include "hub/puller.h"
#include "hub/token.h"
#include "proto/params.h"

namespace hfd::daemon {
namespace {

// What the hub methods share, built once at registration from the daemon's environment.
struct HubState {
  Status config_error;  // why the Hub settings could not be read, if they could not
  std::unique_ptr<hub::Puller> puller;
  hub::TokenSource token_source = hub::TokenSource::kNone;
};

std::shared_ptr<HubState> MakeHubState() {
  auto state = std::make_shared<HubState>();
  const hub::Env env = hub::Env::Process();
  Result<hub::HubConfig> config = hub::HubConfigFromEnv(env);
  if (!config.ok()) {
    state->config_error = config.status();
    return state;
  }
  Result<hub::ResolvedToken> token = hub::ResolveToken(std::nullopt, env);
  if (!token.ok()) {
    state->config_error = token.status();
    return state;
  }
  state->token_source = token->source;
  state->puller = std::make_unique<hub::Puller>(*config, token->token);
  return state;
}

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

nlohmann::json ProgressJson(const hub::PullProgress& p) {
  return {{"phase", hub::PhaseName(p.phase)},
          {"file", p.file},
          {"file_bytes", p.file_bytes},
          {"file_total", p.file_total},
          {"bytes", p.bytes},
          {"total", p.total},
          {"files_done", p.files_done},
          {"files_total", p.files_total},
          {"bytes_per_second", p.bytes_per_second}};
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

void Pull(const std::shared_ptr<HubState>& state, const std::shared_ptr<RequestContext>& ctx) {
  const auto run = [&]() -> Result<nlohmann::json> {
    HFD_RETURN_IF_ERROR(state->config_error);
    HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(
        ctx->params(), {"model", "include", "exclude", "force", "token"}));
    HFD_ASSIGN_OR_RETURN(hub::ModelRef ref, ModelParam(ctx->params()));
    HFD_ASSIGN_OR_RETURN(hub::PullOptions options, ParsePullOptions(ctx->params()));
    const hub::ProgressFn progress = [&ctx](const hub::PullProgress& p) {
      ctx->Notify("progress", ProgressJson(p));
    };
    HFD_ASSIGN_OR_RETURN(hub::PullResult result,
                         state->puller->Pull(ref, options, progress, &ctx->cancel_flag()));
    return PullResultJson(result);
  };
  Result<nlohmann::json> result = run();
  if (result.ok()) {
    ctx->Reply(std::move(result).value());
  } else {
    ctx->ReplyError(result.status());
  }
}

Result<nlohmann::json> List(const HubState& state, RequestContext& ctx) {
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

Result<nlohmann::json> Remove(const HubState& state, RequestContext& ctx) {
  HFD_RETURN_IF_ERROR(state.config_error);
  HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(ctx.params(), {"model"}));
  HFD_ASSIGN_OR_RETURN(hub::ModelRef ref, ModelParam(ctx.params()));
  HFD_RETURN_IF_ERROR(hub::RemoveFromCache(state.puller->config().cache_dir, ref));
  return nlohmann::json{{"removed", ref.ToString()}};
}

}  // namespace

Status RegisterHubMethods(MethodRegistry& registry, DaemonServices&) {
  std::shared_ptr<HubState> state = MakeHubState();
  HFD_RETURN_IF_ERROR(
      registry.Add({"pull", true, Execution::kWorker,
                    [state](std::shared_ptr<RequestContext> ctx) { Pull(state, ctx); }}));
  HFD_RETURN_IF_ERROR(
      registry.Add({"list", false, Execution::kWorker,
                    Sync([state](RequestContext& ctx) { return List(*state, ctx); })}));
  return registry.Add({"rm", true, Execution::kWorker,
                       Sync([state](RequestContext& ctx) { return Remove(*state, ctx); })});
}

}  // namespace hfd::daemon
