// `load`, `unload`, `ps`, `generate` and `chat` (docs/protocol.md, "Serving methods"):
// the serving core (serve/) behind the socket. Handlers run on the worker pool only to
// resolve, load and admit a request; generation runs on the model's own slot threads,
// which stream `token` notifications and send the reply.
#include <spdlog/spdlog.h>

#include <memory>

#include "daemon/methods/hub_access.h"
#include "daemon/methods/methods.h"
#include "daemon/methods/serve_json.h"
#include "daemon/methods/serve_params.h"
#include "daemon/methods/serve_telemetry.h"
#include "proto/params.h"
#include "serve/model_locator.h"
#include "serve/prompt.h"

namespace hfd::daemon {
namespace {

using Clock = std::chrono::steady_clock;

serve::ManagerOptions ManagerOptionsFrom(const Config& config) {
  serve::ManagerOptions o;
  o.memory_budget_bytes = config.models.memory_budget_bytes;
  o.keep_alive_seconds = config.models.keep_alive_seconds;
  o.max_concurrency = static_cast<int32_t>(config.models.max_concurrency);
  o.max_queue = static_cast<int32_t>(config.models.max_queue);
  o.default_context = static_cast<int32_t>(config.models.default_context);
  if (Result<backends::BackendKind> kind = backends::ParseBackendKind(config.backend); kind.ok()) {
    o.backend.kind = *kind;
  }
  o.backend.device = config.device;
  // LoadConfig has checked it; the default stands otherwise.
  if (Result<cpu::ActPrecision> a = backends::ParseCpuActivations(config.cpu_activations); a.ok()) {
    o.backend.cpu_activations = *a;
  }
  return o;
}

std::filesystem::path HubCacheDir(const HubAccess& hub) {
  return hub.puller ? hub.puller->config().cache_dir : std::filesystem::path();
}

struct ServeState {
  explicit ServeState(DaemonServices& services)
      : services(services),
        telemetry(services),
        hub(MakeHubAccess(services.config)),
        locator(HubCacheDir(hub), hub.puller),
        manager(ManagerOptionsFrom(services.config)) {}

  DaemonServices& services;
  ServeTelemetry telemetry;
  const HubAccess hub;
  const serve::ModelLocator locator;
  serve::ModelManager manager;
};

struct Acquired {
  std::shared_ptr<serve::ResidentModel> model;
  double load_ms = 0;  // locating, pulling and loading, when this request loaded it
};

// Locates (pulling when allowed) and loads the model, with `loading` and `progress`
// notifications to `ctx`.
Result<Acquired> LocateAndLoad(ServeState& state, const std::shared_ptr<RequestContext>& ctx,
                               LoadParams load) {
  const auto start = Clock::now();
  const auto phase = [&ctx, &load](const char* name) {
    ctx->Notify("loading", {{"model", load.model}, {"phase", name}});
  };
  DownloadMeter meter(state.services.metrics);
  const hub::ProgressFn progress = [&](const hub::PullProgress& p) {
    meter.Observe(p);
    ctx->Notify("progress", PullProgressJson(p));
  };
  HFD_ASSIGN_OR_RETURN(
      serve::LocatedModel located,
      state.locator.Locate(
          load.model, load.pull, [&] { phase("pulling"); }, progress, &ctx->cancel_flag()));
  serve::LoadRequest& request = load.request;
  request.source = located.source;
  request.revision = located.revision;
  request.commit = located.commit;
  request.cancel = &ctx->cancel_flag();
  request.on_loading = [&] { phase("loading"); };
  bool loaded = false;
  Acquired out;
  HFD_ASSIGN_OR_RETURN(out.model, state.manager.Acquire(request, &loaded));
  if (loaded || located.pulled) {
    phase("ready");
    out.load_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  }
  return out;
}

void ReplyResult(const std::shared_ptr<RequestContext>& ctx, Result<nlohmann::json> result) {
  if (result.ok()) {
    ctx->Reply(std::move(result).value());
  } else {
    ctx->ReplyError(result.status());
  }
}

void Load(ServeState& state, const std::shared_ptr<RequestContext>& ctx) {
  const auto run = [&]() -> Result<nlohmann::json> {
    HFD_RETURN_IF_ERROR(RejectUnknownServeParams(ctx->params(), {}));
    HFD_ASSIGN_OR_RETURN(LoadParams load, ParseLoadParams(ctx->params()));
    HFD_ASSIGN_OR_RETURN(Acquired acquired, LocateAndLoad(state, ctx, std::move(load)));
    return ResidentJson(acquired.model->Info());
  };
  ReplyResult(ctx, run());
}

Result<nlohmann::json> Unload(ServeState& state, RequestContext& ctx) {
  HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(ctx.params(), {"model"}));
  HFD_ASSIGN_OR_RETURN(std::string model, proto::RequiredString(ctx.params(), "model", 4096));
  HFD_ASSIGN_OR_RETURN(serve::LocatedModel located, state.locator.LocateCached(model));
  HFD_ASSIGN_OR_RETURN(int cancelled, state.manager.Unload(located.source));
  return nlohmann::json{{"unloaded", model}, {"cancelled_requests", cancelled}};
}

Result<nlohmann::json> Ps(ServeState& state, RequestContext& ctx) {
  HFD_RETURN_IF_ERROR(proto::RejectUnknownParams(ctx.params(), {}));
  nlohmann::json models = nlohmann::json::array();
  for (const serve::ResidentInfo& info : state.manager.Ps()) models.push_back(ResidentJson(info));
  return nlohmann::json{{"memory_budget_bytes", state.manager.memory_budget_bytes()},
                        {"memory_used_bytes", state.manager.memory_used_bytes()},
                        {"models", std::move(models)}};
}

// One generate/chat request from its params to an admitted Job (or an error).
class Generation : public std::enable_shared_from_this<Generation> {
 public:
  Generation(std::shared_ptr<ServeState> state, std::shared_ptr<RequestContext> ctx, bool chat)
      : state_(std::move(state)), ctx_(std::move(ctx)), chat_(chat) {
    record_.start = std::chrono::system_clock::now();
    record_.received = ctx_->received();
    if (auto it = ctx_->params().find("model"); it != ctx_->params().end() && it->is_string()) {
      record_.model = it->get<std::string>().substr(0, 4096);
    }
  }

  void Start() {
    if (Status s = Admit(); !s.ok()) Finish(s);
  }

 private:
  Status Admit() {
    const nlohmann::json& params = ctx_->params();
    std::vector<std::string> extra = {"max_tokens",
                                      "temperature",
                                      "top_k",
                                      "top_p",
                                      "min_p",
                                      "repeat_penalty",
                                      "presence_penalty",
                                      "frequency_penalty",
                                      "penalty_last_n",
                                      "seed",
                                      "stop"};
    for (const char* name : chat_ ? std::vector<const char*>{"messages", "variables"}
                                  : std::vector<const char*>{"prompt", "raw"}) {
      extra.push_back(name);
    }
    HFD_RETURN_IF_ERROR(RejectUnknownServeParams(params, extra));
    HFD_ASSIGN_OR_RETURN(LoadParams load, ParseLoadParams(params));
    auto job = std::make_shared<serve::Job>();
    HFD_ASSIGN_OR_RETURN(job->request.params, ParseSamplingParams(params));
    HFD_RETURN_IF_ERROR(CheckTextParams(params));
    HFD_ASSIGN_OR_RETURN(Acquired acquired, LocateAndLoad(*state_, ctx_, std::move(load)));
    const serve::ResidentModel& model = *acquired.model;
    record_.backend = model.backend_name();
    load_ms_ = acquired.load_ms;
    HFD_ASSIGN_OR_RETURN(job->request.prompt, PromptTokens(model.text(), params));
    const auto n = static_cast<int64_t>(job->request.prompt.size());
    if (n == 0) return InvalidArgument("the prompt has no tokens");
    if (n > model.ctx() - 1) {
      return InvalidArgument("the prompt has " + std::to_string(n) + " tokens but the context " +
                             "holds " + std::to_string(model.ctx()) +
                             " (one position is needed to generate); shorten it or load the " +
                             "model with a larger ctx");
    }
    record_.prompt_tokens = n;
    const tok::Tokenizer& tokenizer = *model.text().tokenizer;
    job->request.eos_ids = chat_ ? serve::ChatStopIds(tokenizer) : tokenizer.eos_ids();
    job->cancel = &ctx_->cancel_flag();
    job->arrived = ctx_->received();
    model_name_ = model.spec().name;
    auto self = shared_from_this();
    job->on_queued = [self](int32_t position) {
      self->ctx_->Notify("queued", {{"position", position}});
    };
    job->on_token = [self](std::string_view text) { self->OnToken(text); };
    job->on_done = [self, device = DeviceOf(*acquired.model)](Result<serve::JobResult> r) {
      self->Done(std::move(r), device);
    };
    return acquired.model->Submit(std::move(job));
  }

  // Streams text as it becomes final; tokens that complete no text yet are counted into
  // the next notification.
  void OnToken(std::string_view text) {
    ++unsent_tokens_;
    if (text.empty()) return;
    ctx_->Notify("token", {{"text", std::string(text)}, {"tokens", unsent_tokens_}});
    unsent_tokens_ = 0;
  }

  static std::string DeviceOf(const serve::ResidentModel& model) { return model.Info().device; }

  Status CheckTextParams(const nlohmann::json& params) const {
    if (chat_) {
      auto messages = params.find("messages");
      if (messages == params.end() || !messages->is_array() || messages->empty()) {
        return InvalidArgument("param 'messages' must be a non-empty array of {role, content}");
      }
      auto variables = params.find("variables");
      if (variables != params.end() && !variables->is_object() && !variables->is_null()) {
        return InvalidArgument("param 'variables' must be an object");
      }
      return Status::Ok();
    }
    HFD_RETURN_IF_ERROR(proto::RequiredString(params, "prompt").status());
    return proto::OptionalBool(params, "raw").status();
  }

  Result<std::vector<int32_t>> PromptTokens(const serve::ModelText& text,
                                            const nlohmann::json& params) const {
    if (chat_) {
      auto variables = params.find("variables");
      return serve::ChatPromptTokens(text, params.at("messages"),
                                     variables == params.end() ? nlohmann::json() : *variables);
    }
    HFD_ASSIGN_OR_RETURN(std::string prompt, proto::RequiredString(params, "prompt"));
    HFD_ASSIGN_OR_RETURN(std::optional<bool> raw, proto::OptionalBool(params, "raw"));
    return serve::TextPromptTokens(text, prompt, raw.value_or(false));
  }

  void Done(Result<serve::JobResult> r, const std::string& device) {
    if (!r.ok()) return Finish(r.status());
    const serve::GenerationOutcome& g = r->generation;
    record_.output = g.text;
    record_.completion_tokens = g.completion_tokens;
    record_.stop_reason = std::string(serve::StopReasonWireName(g.stop_reason));
    const int32_t prefilled = g.prompt_tokens - g.cached_tokens;
    nlohmann::json result = {
        {"model", model_name_},
        {"backend", record_.backend},
        {"device", device},
        {"text", g.text},
        {"stop_reason", record_.stop_reason},
        {"usage",
         {{"prompt_tokens", g.prompt_tokens},
          {"cached_tokens", g.cached_tokens},
          {"completion_tokens", g.completion_tokens}}},
        {"timings",
         {{"load_ms", load_ms_},
          {"queue_ms", std::max(0.0, r->queue_ms - load_ms_)},
          {"ttft_ms", r->ttft_ms},
          {"total_ms", r->total_ms},
          {"prompt_tokens_per_second", g.prefill_seconds > 0 ? prefilled / g.prefill_seconds : 0},
          {"tokens_per_second", g.decode_seconds > 0 && g.completion_tokens > 1
                                    ? (g.completion_tokens - 1) / g.decode_seconds
                                    : 0}}}};
    if (chat_) result["message"] = {{"role", "assistant"}, {"content", g.text}};
    state_->telemetry.RecordCompletion(record_);
    ctx_->Reply(std::move(result));
  }

  void Finish(const Status& error) {
    record_.error = error;
    state_->telemetry.RecordCompletion(record_);
    ctx_->ReplyError(error);
  }

  const std::shared_ptr<ServeState> state_;
  const std::shared_ptr<RequestContext> ctx_;
  const bool chat_;
  CompletionRecord record_;
  std::string model_name_;
  double load_ms_ = 0;
  int32_t unsent_tokens_ = 0;  // slot thread only
};

void StartInitialLoads(const std::shared_ptr<ServeState>& state,
                       const std::vector<std::string>& models) {
  if (models.empty()) return;
  state->manager.RunInBackground([state = state.get(), models](const std::atomic<bool>& stop) {
    for (const std::string& name : models) {
      if (stop) return;
      Result<serve::LocatedModel> located = state->locator.Locate(name, true, {}, {}, &stop);
      Result<std::shared_ptr<serve::ResidentModel>> model = located.status();
      if (located.ok()) {
        serve::LoadRequest request;
        request.name = name;
        request.source = located->source;
        request.revision = located->revision;
        request.commit = located->commit;
        request.cancel = &stop;
        model = state->manager.Acquire(request);
      }
      if (model.ok()) {
        spdlog::info("initial_load: {} loaded on {}", name, (*model)->backend_name());
      } else {
        spdlog::warn("initial_load: {} not loaded: {}", name, model.status().ToString());
      }
    }
  });
}

}  // namespace

Status RegisterServeMethods(MethodRegistry& registry, DaemonServices& services) {
  auto state = std::make_shared<ServeState>(services);
  const std::weak_ptr<ServeState> weak = state;
  services.metric_refreshers.push_back([weak] {
    if (auto s = weak.lock()) s->telemetry.Refresh(s->manager);
  });
  services.idle_vetoes.push_back([weak] {
    auto s = weak.lock();
    return s && s->manager.HasResidentModels();
  });
  services.shutdown_hooks.push_back([weak] {
    if (auto s = weak.lock()) s->manager.Shutdown(Unavailable("the daemon is shutting down"));
  });
  HFD_RETURN_IF_ERROR(
      registry.Add({"load", true, Execution::kWorker,
                    [state](std::shared_ptr<RequestContext> ctx) { Load(*state, ctx); }}));
  HFD_RETURN_IF_ERROR(
      registry.Add({"unload", true, Execution::kWorker,
                    Sync([state](RequestContext& ctx) { return Unload(*state, ctx); })}));
  HFD_RETURN_IF_ERROR(
      registry.Add({"ps", false, Execution::kWorker,
                    Sync([state](RequestContext& ctx) { return Ps(*state, ctx); })}));
  for (const bool chat : {false, true}) {
    HFD_RETURN_IF_ERROR(registry.Add({chat ? "chat" : "generate", false, Execution::kWorker,
                                      [state, chat](std::shared_ptr<RequestContext> ctx) {
                                        std::make_shared<Generation>(state, ctx, chat)->Start();
                                      }}));
  }
  StartInitialLoads(state, services.config.models.initial_load);
  return Status::Ok();
}

}  // namespace hfd::daemon
