#include "serve/service.h"

#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include <chrono>

#include "engine/model/model_desc.h"
#include "hub/gguf_files.h"
#include "hub/repo_cache.h"
#include "serve/model_text.h"
#include "serve/prompt.h"

namespace hfd::serve {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Checked before anything touches the filesystem, so the answer does not tell a caller
// whether a path exists where it cannot look.
Status CheckPathAccess(const Caller& caller, const std::string& model) {
  if (!hub::IsLocalPath(model) || caller.may_open_paths) return Status::Ok();
  return PermissionDenied(
      "hfd opens local model paths only for root and its own user; other callers pass the "
      "model's files as descriptors with the request (hfctl and the client library do this; "
      "docs/protocol.md, \"Passing local files\")");
}

void Phase(const ServeEvents& events, std::string_view phase) {
  if (events.on_phase) events.on_phase(phase);
}

void Notice(const ServeEvents& events, const std::string& notice) {
  if (events.on_notice) events.on_notice(notice);
}

// Pulls with the same key share one transfer (serve/shared_pull.h): the same reference and
// the same choice of files. A token is not part of it: the files are the same whoever
// fetches them.
std::string PullKey(const PullRequest& request) {
  std::string key = request.ref.ToString();
  for (const std::string& glob : request.options.include) key += "\n+" + glob;
  for (const std::string& glob : request.options.exclude) key += "\n-" + glob;
  if (request.options.force) key += "\nforce";
  if (request.options.offline) key += "\noffline";
  return key;
}

std::string JoinedNotice(const std::string& model, uint64_t id) {
  return "joined the running pull of " + model + " (pull " + std::to_string(id) +
         "): one download for every client asking for it; Ctrl-C detaches only this client";
}

// Which of several GGUF models `model` is served with, and how to ask for another.
std::string PickedQuantNotice(const std::string& model, const ModelSource& source) {
  const std::string how = hub::IsLocalPath(model) ? "name the .gguf file for another"
                                                  : "ask for another with " + model + ":QUANT";
  return model + " holds several GGUF models; serving " +
         (source.quant.empty() ? source.gguf : source.quant + " (" + source.gguf + ")") +
         ", the default (" + hub::kDefaultQuantRule + "); " + how;
}

// One harmony generation's split and what each side has received so far; shared by
// the token callback and the completion (the job's thread runs both, one after the other).
struct ChannelSplit {
  explicit ChannelSplit(const chat::HarmonyTokens& markers) : splitter(markers) {}
  chat::HarmonyChannels splitter;
  std::string answer, thinking;
};

}  // namespace

struct Service::Acquired {
  std::shared_ptr<ResidentModel> model;
  double load_ms = 0;  // locating, pulling and loading, when this request loaded it
};

Service::Service(ServiceOptions options, HubSetup hub)
    : options_(std::move(options)),
      hub_(std::move(hub)),
      texts_(options_.text_cache_entries),
      locator_(hub_.puller ? hub_.puller->config().cache_dir : std::filesystem::path(),
               options_.derived_dir),
      manager_(options_.manager, &texts_),
      pull_limits_(options_.max_pulls_per_user, "pulls", "policy.max_pulls_per_user"),
      load_limits_(options_.max_loads_per_user, "model loads", "policy.max_loads_per_user"),
      tasks_(options_.max_tasks) {}

Service::~Service() { Shutdown(Unavailable("the daemon is shutting down")); }

void Service::Shutdown(const Status& reason) {
  stopping_ = true;
  pulls_.CancelAll();
  manager_.Shutdown(reason);
  tasks_.Shutdown();
}

Status Service::Spawn(std::function<void()> task) { return tasks_.Start(std::move(task)); }

bool Service::Busy() const { return manager_.HasResidentModels() || pulls_.AnyRunning(); }

void Service::Remember(const std::string& model) {
  std::lock_guard lock(known_mu_);
  if (known_models_.size() < options_.max_metric_models) known_models_.insert(model);
}

std::string Service::MetricLabel(const std::string& model) const {
  std::lock_guard lock(known_mu_);
  return known_models_.count(model) != 0 ? model : "other";
}

Result<Service::PullAttachment> Service::AttachToPull(const PullRequest& request,
                                                      hub::ProgressFn progress,
                                                      std::shared_ptr<const void> hold) {
  const std::string key = PullKey(request);
  std::lock_guard lock(shared_mu_);
  if (auto it = shared_pulls_.find(key); it != shared_pulls_.end()) {
    PullAttachment joined{it->second, nullptr, true};
    if (request.detach ? joined.pull->KeepInBackground()
                       : (joined.client = joined.pull->Attach(progress)) != nullptr) {
      return joined;
    }
  }
  const std::string model = request.ref.ToString();
  auto pull = std::make_shared<SharedPull>(model, pulls_, pulls_.Start(model, request.detach),
                                           request.detach,
                                           options_.pull_meter ? options_.pull_meter() : nullptr);
  PullAttachment started{pull, request.detach ? nullptr : pull->Attach(std::move(progress)), false};
  if (Status s = Spawn([this, request, pull, key, hold = std::move(hold)] {
        RunSharedPull(request, pull, key);
      });
      !s.ok()) {
    pull->Finish(s);
    return s;
  }
  shared_pulls_[key] = pull;
  spdlog::info("pulling {} (pull {}{})", model, pull->id(), request.detach ? ", detached" : "");
  return started;
}

void Service::RunSharedPull(const PullRequest& request, const std::shared_ptr<SharedPull>& pull,
                            const std::string& key) {
  Result<hub::PullResult> result = hub_.puller->Pull(
      request.ref, request.options, [&pull](const hub::PullProgress& p) { pull->Publish(p); },
      pull->cancel_flag());
  {
    std::lock_guard lock(shared_mu_);
    if (auto it = shared_pulls_.find(key); it != shared_pulls_.end() && it->second == pull) {
      shared_pulls_.erase(it);
    }
  }
  const std::string model = request.ref.ToString();
  if (result.ok()) {
    Remember(model);
    spdlog::info("pulled {} (pull {}): {} bytes downloaded", model, pull->id(),
                 result->downloaded_bytes);
  } else {
    spdlog::warn("pull {} of {} ended: {}", pull->id(), model, result.status().ToString());
  }
  pull->Finish(std::move(result));
}

Result<LocatedModel> Service::LocateCached(const Caller& caller,
                                           const ModelRequest& request) const {
  if (request.files != nullptr) return locator_.LocatePassed(request.model, request.files);
  HFD_RETURN_IF_ERROR(CheckPathAccess(caller, request.model));
  return locator_.LocateCached(request.model);
}

Status Service::WithSuggestions(const Status& status, const std::string& model) const {
  if (status.code() != ErrorCode::kNotFound || hub_.puller == nullptr) return status;
  Result<hub::ModelRef> ref = hub::ParseModelRef(model);
  if (!ref.ok()) return status;
  const std::vector<std::string> near = hub::CachedNamesNear(hub_.puller->config().cache_dir, *ref);
  if (near.empty()) return status;
  std::string names;
  for (const std::string& name : near) names += (names.empty() ? "" : ", ") + name;
  return NotFound(status.message() + "; did you mean " + names + " (cached)?");
}

Result<LocatedModel> Service::Locate(const Caller& caller, const ModelRequest& request,
                                     const ServeEvents& events, const std::atomic<bool>* cancel) {
  Result<LocatedModel> cached = LocateCached(caller, request);
  if (cached.ok() || cached.status().code() != ErrorCode::kNotFound || request.files != nullptr ||
      hub::IsLocalPath(request.model)) {
    return cached;
  }
  Result<LocatedModel> pulled = PullToServe(caller, request, events, cancel);
  if (pulled.ok()) return pulled;
  return WithSuggestions(pulled.status(), request.model);
}

Result<LocatedModel> Service::PullToServe(const Caller& caller, const ModelRequest& request,
                                          const ServeEvents& events,
                                          const std::atomic<bool>* cancel) {
  HFD_ASSIGN_OR_RETURN(hub::ModelRef ref, hub::ParseModelRef(request.model));
  const std::string hint = "; run `hfctl pull " + ref.ToString() + "` first";
  if (hub_.puller == nullptr) {
    return NotFound(ref.ToString() + " is not cached and the Hub settings could not be read (" +
                    hub_.config_error.message() + ")" + hint);
  }
  if (hub_.puller->config().offline) {
    return NotFound(ref.ToString() + " is not in the Hub cache and the daemon is offline " +
                    "(HF_HUB_OFFLINE)" + hint);
  }
  if (!request.pull) {
    return NotFound(ref.ToString() + " is not in the Hub cache and pull is false" + hint);
  }
  if (request.offline) {
    return NotFound(ref.ToString() + " is not in the Hub cache and this request is offline " +
                    "(--offline, or HF_HUB_OFFLINE where hfctl runs)" + hint);
  }
  HFD_RETURN_IF_ERROR(RequireRights(caller.rights, Rights::kManage,
                                    ref.ToString() + " is not in the Hub cache: pulling it"));
  HFD_ASSIGN_OR_RETURN(UserLimits::Lease lease, pull_limits_.Acquire(caller.uid));
  Phase(events, "pulling");
  PullRequest pull{ref, {}, false};
  pull.options.token = request.token;
  HFD_ASSIGN_OR_RETURN(PullAttachment attached, AttachToPull(pull, events.on_progress, nullptr));
  if (attached.joined) Notice(events, JoinedNotice(ref.ToString(), attached.pull->id()));
  HFD_ASSIGN_OR_RETURN(hub::PullResult pulled, attached.pull->Wait(attached.client, cancel));
  HFD_ASSIGN_OR_RETURN(LocatedModel located, locator_.LocateCached(request.model));
  located.pulled = true;
  // Only the pulled quant is cached now; the pull chose it among the Hub's.
  located.source.quant_picked |= pulled.quant_picked;
  return located;
}

Status Service::LimitOptions(const Caller& caller, const LocatedModel& located,
                             LoadOptions& options, const ServeEvents& events) const {
  if (caller.rights >= Rights::kManage) return Status::Ok();
  if (options.keep_alive_seconds || options.max_concurrency || options.max_queue) {
    return RequireRights(caller.rights, Rights::kManage,
                         "setting keep_alive, max_concurrency or max_queue");
  }
  const std::shared_ptr<ResidentModel> resident = manager_.Find(located.source.key);
  if (resident == nullptr) return Status::Ok();
  std::string differs;
  const auto add = [&differs](const std::string& what) {
    differs += (differs.empty() ? "" : ", ") + what;
  };
  if (options.ctx && *options.ctx != resident->ctx()) {
    add("ctx " + std::to_string(resident->ctx()));
  }
  if (options.backend && *options.backend != backends::BackendKind::kAuto &&
      backends::BackendKindName(*options.backend) != resident->backend_name()) {
    add("backend " + resident->backend_name());
  }
  if (options.device && *options.device != resident->spec().backend.device) {
    add("device '" + resident->spec().backend.device + "'");
  }
  options.ctx.reset();
  options.backend.reset();
  options.device.reset();
  if (!differs.empty() && events.on_notice) {
    events.on_notice("model " + resident->spec().name + " is resident with " + differs +
                     "; this request is served with those settings (loading it with others "
                     "needs the 'manage' level)");
  }
  return Status::Ok();
}

Result<Service::Acquired> Service::LocateAndLoad(const Caller& caller, ModelRequest request,
                                                 const ServeEvents& events,
                                                 const std::atomic<bool>* cancel) {
  const auto start = Clock::now();
  if (request.files == nullptr && !hub::IsLocalPath(request.model)) {
    // One name for a model however it was written (a URL, hf.co/..., :latest).
    HFD_ASSIGN_OR_RETURN(const hub::ModelRef ref, hub::ParseModelRef(request.model));
    request.model = ref.ToString();
  }
  HFD_ASSIGN_OR_RETURN(LocatedModel located, Locate(caller, request, events, cancel));
  if (located.source.quant_picked) Notice(events, PickedQuantNotice(request.model, located.source));
  HFD_RETURN_IF_ERROR(LimitOptions(caller, located, request.options, events));
  LoadRequest load;
  load.name = request.model;
  load.source = located.source;
  load.options = request.options;
  load.cancel = cancel;
  load.on_loading = [&events] { Phase(events, "loading"); };
  load.on_notice = events.on_notice;
  load.on_building = events.on_building;
  load.owner = caller.uid;
  load.may_evict_others = caller.rights >= Rights::kManage;
  // A load, not the use of a resident model, counts against the caller's loads.
  std::optional<UserLimits::Lease> lease;
  if (manager_.Find(located.source.key) == nullptr) {
    HFD_ASSIGN_OR_RETURN(lease, load_limits_.Acquire(caller.uid));
  }
  bool loaded = false;
  Acquired out;
  HFD_ASSIGN_OR_RETURN(out.model, manager_.Acquire(load, &loaded));
  Remember(request.model);
  if (loaded || located.pulled) {
    Phase(events, "ready");
    out.load_ms = MsSince(start);
  }
  if (events.on_backend) events.on_backend(out.model->backend_name());
  return out;
}

void Service::Load(const Caller& caller, ModelRequest request, ServeEvents events,
                   const std::atomic<bool>* cancel,
                   const std::function<void(Result<ResidentInfo>)>& done) {
  if (Status s = RequireRights(caller.rights, Rights::kUse, "load"); !s.ok()) return done(s);
  Status started =
      Spawn([this, caller, request = std::move(request), events = std::move(events), cancel, done] {
        Result<Acquired> acquired = LocateAndLoad(caller, request, events, cancel);
        if (!acquired.ok()) return done(acquired.status());
        done(acquired->model->Info());
      });
  if (!started.ok()) done(started);
}

void Service::Complete(const Caller& caller, CompletionRequest request, ServeEvents events,
                       const std::atomic<bool>* cancel,
                       const std::function<void(Result<Completion>)>& done) {
  const char* what = request.chat ? "chat" : "generate";
  if (Status s = RequireRights(caller.rights, Rights::kUse, what); !s.ok()) return done(s);
  Status started = Spawn([this, caller, request = std::move(request), events = std::move(events),
                          cancel, done] { Admit(caller, request, events, cancel, done); });
  if (!started.ok()) done(started);
}

void Service::Admit(const Caller& caller, const CompletionRequest& request,
                    const ServeEvents& events, const std::atomic<bool>* cancel,
                    const std::function<void(Result<Completion>)>& done) {
  const auto arrived = Clock::now();
  Result<Acquired> acquired = LocateAndLoad(caller, request.target, events, cancel);
  if (!acquired.ok()) return done(acquired.status());
  const std::shared_ptr<ResidentModel>& model = acquired->model;
  if (model::IsEmbeddingModel(model->desc())) {
    return done(InvalidArgument("model " + request.target.model +
                                " is an embedding model: it computes embeddings, not text; "
                                "use `hfctl embed`, the embed method or the embeddings API "
                                "(POST /v1/embeddings, /api/embed)"));
  }
  Result<std::vector<int32_t>> prompt =
      request.chat ? ChatPromptTokens(model->text(), request.messages, request.variables)
                   : TextPromptTokens(model->text(), request.prompt, request.raw);
  if (!prompt.ok()) return done(prompt.status());
  const auto n = static_cast<int64_t>(prompt->size());
  if (n == 0) return done(InvalidArgument("the prompt has no tokens"));
  if (n > model->ctx() - 1) {
    return done(InvalidArgument(
        "the prompt has " + std::to_string(n) + " tokens but the context holds " +
        std::to_string(model->ctx()) +
        " (one position is needed to generate); shorten it or load the model with a larger ctx"));
  }
  auto job = std::make_shared<Job>();
  job->request.prompt = std::move(prompt).value();
  job->request.params = request.sampling;
  job->request.top_logprobs = request.top_logprobs;
  const tok::Tokenizer& tokenizer = *model->text().tokenizer;
  // A harmony model's (gpt-oss) answer, chat or generate, is split by channel: the final
  // one is the text. A generation of such a model also runs past <|end|>, which ends its
  // analysis, to <|return|>, as a chat does.
  const std::optional<chat::HarmonyTokens> markers = HarmonyTokensOf(tokenizer);
  job->request.eos_ids = request.chat || markers ? ChatStopIds(tokenizer) : tokenizer.eos_ids();
  job->cancel = cancel;
  job->arrived = arrived;
  job->on_queued = events.on_queued;
  std::shared_ptr<ChannelSplit> channels;
  if (markers) channels = std::make_shared<ChannelSplit>(*markers);
  // Tokens that complete no text yet are counted into the next text event.
  job->on_token = [on_text = events.on_text, on_thinking = events.on_thinking, channels,
                   unsent = int32_t{0}, unsent_logprobs = std::vector<runtime::TokenLogprobs>()](
                      std::string_view text, int32_t token,
                      const runtime::TokenLogprobs* logprobs) mutable {
    ++unsent;
    if (logprobs != nullptr) unsent_logprobs.push_back(*logprobs);
    std::string answer;
    if (channels) {
      chat::HarmonyChannels::Split split = channels->splitter.Push(token, text);
      channels->answer += split.answer;
      channels->thinking += split.thinking;
      if (on_thinking && !split.thinking.empty()) on_thinking(split.thinking);
      answer = std::move(split.answer);
      text = answer;
    }
    if (text.empty()) return;
    if (on_text) on_text(text, unsent, unsent_logprobs);
    unsent = 0;
    unsent_logprobs.clear();
  };
  const ResidentInfo info = model->Info();
  job->on_done = [done, name = info.name, backend = info.backend, device = info.device,
                  load_ms = acquired->load_ms, channels](Result<JobResult> r) {
    if (!r.ok()) return done(r.status());
    const runtime::GenerateResult& g = r->run.result;
    Completion c;
    c.model = name;
    c.backend = backend;
    c.device = device;
    c.text = channels ? channels->answer : g.text;
    if (channels) c.thinking = channels->thinking;
    c.stop_reason = std::string(StopReasonWireName(g.stop_reason));
    c.prompt_tokens = r->run.prompt_tokens;
    c.cached_tokens = r->run.cached_tokens;
    c.completion_tokens = static_cast<int32_t>(g.tokens.size());
    c.load_ms = load_ms;
    c.queue_ms = std::max(0.0, r->queue_ms - load_ms);
    c.ttft_ms = r->ttft_ms;
    c.total_ms = r->total_ms;
    c.prompt_tokens_per_second = g.PrefillRate(c.prompt_tokens - c.cached_tokens);
    c.tokens_per_second = g.DecodeRate();
    c.logprobs = g.logprobs;
    done(std::move(c));
  };
  if (Status s = model->Submit(job); !s.ok()) done(s);
}

void Service::Embed(const Caller& caller, EmbedRequest request, ServeEvents events,
                    const std::atomic<bool>* cancel,
                    const std::function<void(Result<Embeddings>)>& done) {
  if (Status s = RequireRights(caller.rights, Rights::kUse, "embed"); !s.ok()) return done(s);
  if (request.texts.empty()) return done(InvalidArgument("there are no texts to embed"));
  Status started = Spawn([this, caller, request = std::move(request), events = std::move(events),
                          cancel, done] { AdmitEmbed(caller, request, events, cancel, done); });
  if (!started.ok()) done(started);
}

void Service::AdmitEmbed(const Caller& caller, const EmbedRequest& request,
                         const ServeEvents& events, const std::atomic<bool>* cancel,
                         const std::function<void(Result<Embeddings>)>& done) {
  const auto arrived = Clock::now();
  Result<Acquired> acquired = LocateAndLoad(caller, request.target, events, cancel);
  if (!acquired.ok()) return done(acquired.status());
  const std::shared_ptr<ResidentModel>& model = acquired->model;
  if (model->desc().pooling == model::Pooling::kNone) {
    return done(Unsupported("model " + request.target.model +
                            " has no pooling: it generates text and does not compute "
                            "embeddings; use an embedding model (bert, nomic-bert, or a "
                            "decoder whose files declare a pooling, like Qwen3-Embedding)"));
  }
  auto job = std::make_shared<Job>();
  int32_t tokens = 0;
  for (size_t i = 0; i < request.texts.size(); ++i) {
    Result<std::vector<int32_t>> ids =
        EmbedInputTokens(model->text(), request.texts[i], i, model->ctx(), request.truncate);
    if (!ids.ok()) return done(ids.status());
    tokens += static_cast<int32_t>(ids->size());
    job->embed_inputs.push_back(std::move(ids).value());
  }
  job->normalize = request.normalize;
  job->cancel = cancel;
  job->arrived = arrived;
  job->on_queued = events.on_queued;
  const ResidentInfo info = model->Info();
  job->on_done = [done, name = info.name, backend = info.backend, device = info.device,
                  load_ms = acquired->load_ms, tokens](Result<JobResult> r) {
    if (!r.ok()) return done(r.status());
    Embeddings e;
    e.model = name;
    e.backend = backend;
    e.device = device;
    e.vectors = std::move(r->embeddings);
    e.prompt_tokens = tokens;
    e.load_ms = load_ms;
    e.queue_ms = std::max(0.0, r->queue_ms - load_ms);
    e.total_ms = r->total_ms;
    done(std::move(e));
  };
  if (Status s = model->Submit(job); !s.ok()) done(s);
}

Result<int> Service::Unload(const Caller& caller, const std::string& model) {
  HFD_RETURN_IF_ERROR(RequireRights(caller.rights, Rights::kManage, "unload"));
  // By the name it was loaded under (as `ps` shows it), without opening any file: so a
  // model loaded from passed descriptors can be unloaded by the path its client named.
  if (std::optional<std::string> key = manager_.KeyOfName(model)) return manager_.Unload(*key);
  HFD_ASSIGN_OR_RETURN(LocatedModel located, LocateCached(caller, {.model = model}));
  return manager_.Unload(located.source.key);
}

Result<PsReport> Service::Ps(const Caller& caller) const {
  HFD_RETURN_IF_ERROR(RequireRights(caller.rights, Rights::kRead, "ps"));
  return PsReport{manager_.memory_budget_bytes(), manager_.memory_used_bytes(), manager_.Ps()};
}

void Service::Pull(const Caller& caller, const PullRequest& request, const ServeEvents& events,
                   const std::atomic<bool>* cancel,
                   const std::function<void(Result<PullAnswer>)>& done) {
  if (Status s = RequireRights(caller.rights, Rights::kManage, "pull"); !s.ok()) return done(s);
  if (hub_.puller == nullptr) return done(hub_.config_error);
  // Taken before answering, so a detached pull over the cap is refused, not queued; held
  // by the waiting client, or by the pull itself when it runs in the background.
  Result<UserLimits::Lease> lease = pull_limits_.Acquire(caller.uid);
  if (!lease.ok()) return done(lease.status());
  auto held = std::make_shared<UserLimits::Lease>(std::move(lease).value());
  Result<PullAttachment> attached =
      AttachToPull(request, events.on_progress, request.detach ? held : nullptr);
  if (!attached.ok()) return done(attached.status());
  if (request.detach) return done(PullAnswer{attached->pull->id(), {}, attached->joined});
  if (attached->joined) {
    Notice(events, JoinedNotice(request.ref.ToString(), attached->pull->id()));
  }
  Status started = Spawn([attached = *attached, cancel, done, held] {
    Result<hub::PullResult> result = attached.pull->Wait(attached.client, cancel);
    if (!result.ok()) return done(result.status());
    done(PullAnswer{std::nullopt, std::move(result).value(), attached.joined});
  });
  if (!started.ok()) {
    const std::atomic<bool> leave{true};
    (void)attached->pull->Wait(attached->client, &leave);
    done(started);
  }
}

Result<std::vector<hub::PullRecord>> Service::Pulls(const Caller& caller) const {
  HFD_RETURN_IF_ERROR(RequireRights(caller.rights, Rights::kRead, "pulls"));
  return pulls_.Snapshot();
}

Result<CacheListing> Service::List(const Caller& caller) const {
  HFD_RETURN_IF_ERROR(RequireRights(caller.rights, Rights::kRead, "list"));
  HFD_RETURN_IF_ERROR(hub_.config_error);
  CacheListing out;
  out.cache_dir = hub_.puller->config().cache_dir;
  out.token_source = hub_.token_source;
  HFD_ASSIGN_OR_RETURN(out.models, hub::ListCache(out.cache_dir));
  return out;
}

Result<RemoveAnswer> Service::Remove(const Caller& caller, const std::string& model, bool force) {
  HFD_RETURN_IF_ERROR(RequireRights(caller.rights, Rights::kManage, "rm"));
  HFD_RETURN_IF_ERROR(hub_.config_error);
  HFD_ASSIGN_OR_RETURN(hub::ModelRef ref, hub::ParseModelRef(model));
  const std::filesystem::path& cache_dir = hub_.puller->config().cache_dir;
  HFD_ASSIGN_OR_RETURN(hub::RemovalPlan plan, hub::PlanRemoval(cache_dir, ref));
  const hub::RepoCache cache(cache_dir, ref.repo_id);
  std::set<std::string> blob_paths;
  std::set<std::pair<uint64_t, uint64_t>> blob_ids;  // (inode, size): derived files name them so
  for (const std::string& blob : plan.blobs) {
    const std::filesystem::path path = cache.blob_path(blob);
    blob_paths.insert(path.string());
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
      blob_ids.insert({static_cast<uint64_t>(st.st_ino), static_cast<uint64_t>(st.st_size)});
    }
  }
  // Hub models by their snapshot file; a local path into the cache by the blob it resolves to.
  const std::vector<std::shared_ptr<ResidentModel>> users =
      manager_.ResidentWhere([&](const LoadSpec& spec) {
        return (spec.source.repo_id == ref.repo_id &&
                plan.Removes(spec.source.commit, spec.source.gguf)) ||
               blob_paths.count(spec.source.key) != 0;
      });
  RemoveAnswer answer{ref.ToString(), plan.file_count(), plan.freed_bytes, {}};
  if (!users.empty() && !force) {
    std::string names;
    for (const auto& user : users) names += (names.empty() ? "" : ", ") + user->spec().name;
    return InvalidArgument("removing " + answer.removed + " deletes the files of resident model " +
                           names + " (see `hfctl ps`); `hfctl rm --force " + answer.removed +
                           "` unloads it first, ending its requests, then removes the files");
  }
  for (const auto& user : users) {
    if (manager_.Unload(user->spec().source.key).ok()) answer.unloaded.push_back(user->spec().name);
  }
  HFD_RETURN_IF_ERROR(hub::ExecuteRemoval(cache_dir, plan));
  // The derived files built from what went: the repo's (a whole repo took its folder with
  // it), and the daemon's of local paths into the snapshot.
  std::vector<Result<model::PruneResult>> pruned = {PruneDaemonDerived(options_.derived_dir)};
  if (!plan.whole_repo) pruned.push_back(PruneRepoDerived(cache.repo_dir(), blob_ids));
  size_t derived_files = 0;
  for (const Result<model::PruneResult>& p : pruned) {
    if (!p.ok()) {
      spdlog::warn("rm {}: derived files not pruned: {}", answer.removed, p.status().ToString());
      continue;
    }
    derived_files += p->files;
    answer.freed_bytes += p->bytes;
  }
  spdlog::info("removed {} from the Hub cache: {} file(s) and {} derived file(s), {} bytes freed{}",
               answer.removed, answer.files, derived_files, answer.freed_bytes,
               answer.unloaded.empty() ? "" : " (unloaded it first)");
  return answer;
}

Result<std::shared_ptr<const ModelText>> Service::TextOf(const Caller& caller,
                                                         const ModelRequest& target) {
  Result<LocatedModel> located = LocateCached(caller, target);
  if (!located.ok()) {
    if (target.files != nullptr || hub::IsLocalPath(target.model)) return located.status();
    return WithSuggestions(located.status(), target.model);
  }
  return texts_.Get(located->source);
}

void Service::Tokenize(const Caller& caller, ModelRequest target, std::string text,
                       bool add_special,
                       const std::function<void(Result<std::vector<int32_t>>)>& done) {
  if (Status s = RequireRights(caller.rights, Rights::kUse, "tokenize"); !s.ok()) return done(s);
  Status started =
      Spawn([this, caller, target = std::move(target), text = std::move(text), add_special, done] {
        Result<std::shared_ptr<const ModelText>> t = TextOf(caller, target);
        if (!t.ok()) return done(t.status());
        done((*t)->tokenizer->Encode(text, add_special));
      });
  if (!started.ok()) done(started);
}

void Service::Detokenize(const Caller& caller, ModelRequest target, std::vector<int64_t> ids,
                         bool skip_special, const std::function<void(Result<std::string>)>& done) {
  if (Status s = RequireRights(caller.rights, Rights::kUse, "detokenize"); !s.ok()) {
    return done(s);
  }
  Status started =
      Spawn([this, caller, target = std::move(target), ids = std::move(ids), skip_special, done] {
        Result<std::shared_ptr<const ModelText>> t = TextOf(caller, target);
        if (!t.ok()) return done(t.status());
        const tok::Tokenizer& tokenizer = *(*t)->tokenizer;
        std::vector<int32_t> checked;
        checked.reserve(ids.size());
        for (int64_t id : ids) {
          if (id < 0 || id >= tokenizer.vocab_size()) {
            return done(InvalidArgument("token id " + std::to_string(id) +
                                        " is not in the vocabulary (0.." +
                                        std::to_string(tokenizer.vocab_size() - 1) + ")"));
          }
          checked.push_back(static_cast<int32_t>(id));
        }
        done(tokenizer.Decode(checked, skip_special));
      });
  if (!started.ok()) done(started);
}

void Service::RenderChat(const Caller& caller, ModelRequest target, nlohmann::json messages,
                         bool add_generation_prompt, nlohmann::json variables,
                         const std::function<void(Result<std::string>)>& done) {
  if (Status s = RequireRights(caller.rights, Rights::kUse, "render_chat"); !s.ok()) {
    return done(s);
  }
  Status started = Spawn([this, caller, target = std::move(target), messages = std::move(messages),
                          add_generation_prompt, variables = std::move(variables), done] {
    Result<std::shared_ptr<const ModelText>> t = TextOf(caller, target);
    if (!t.ok()) return done(t.status());
    const ModelText& text = **t;
    if (!text.chat_template) return done(text.template_error);
    chat::RenderOptions options = text.render_options;
    options.add_generation_prompt = add_generation_prompt;
    if (variables.is_object()) options.extra = variables;
    done(text.chat_template->Render(messages, options));
  });
  if (!started.ok()) done(started);
}

void Service::StartInitialLoads(std::vector<std::string> models) {
  if (models.empty()) return;
  // The daemon's own configuration: loaded with its own rights.
  const Caller daemon{::getuid(), ::getpid(), Rights::kManage, true};
  Status started = Spawn([this, daemon, models = std::move(models)] {
    for (const std::string& name : models) {
      if (stopping_) return;
      Result<Acquired> acquired = LocateAndLoad(daemon, {name, {}}, {}, &stopping_);
      if (acquired.ok()) {
        spdlog::info("initial_load: {} loaded on {}", name, acquired->model->backend_name());
      } else {
        spdlog::warn("initial_load: {} not loaded: {}", name, acquired.status().ToString());
      }
    }
  });
  if (!started.ok()) spdlog::warn("initial_load: not started: {}", started.ToString());
}

void Service::StartDerivedCleanup() {
  const std::filesystem::path& dir = options_.derived_dir;
  if (dir.empty()) return;
  Status started = Spawn([dir] { model::PruneStaleAndLog(*DaemonDerivedStore(dir, "")); });
  if (!started.ok()) spdlog::warn("pruning {}: not started: {}", dir.string(), started.ToString());
}

}  // namespace hfd::serve
