// The serving core: every operation a client can ask of the daemon's models and Hub
// cache, whatever door it came through (the MessagePack socket in daemon/methods, the HTTP
// APIs). Doors only translate requests and results; this class applies the rights policy
// (serve/rights.h), per-user caps, and runs slow work (pulls, loads, tokenizer reads) on
// its own threads so the daemon's request pool stays free.
//
// Threading: every public method is thread-safe. Methods taking a `done` callback return
// at once and call it exactly once, later, from a service or slot thread; the other
// events of that request come from those threads too, one at a time. A `cancel` flag
// passed in must outlive the `done` call.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/io/model_file_set.h"
#include "engine/runtime/generator.h"
#include "engine/sampling/sampling_params.h"
#include "hfd/status.h"
#include "hub/cache_admin.h"
#include "hub/model_ref.h"
#include "hub/progress.h"
#include "hub/pull_registry.h"
#include "hub/puller.h"
#include "serve/model_locator.h"
#include "serve/model_manager.h"
#include "serve/rights.h"
#include "serve/shared_pull.h"
#include "serve/task_threads.h"
#include "serve/text_cache.h"
#include "serve/user_limits.h"

namespace hfd::serve {

struct ModelRequest {
  std::string model;  // an absolute local path or a Hub id `org/name[@rev][:QUANT]`
  LoadOptions options{};
  bool pull = true;  // pull a Hub model that is not cached (manage only)
  // The client's own Hub token, for a pull this request makes: used for it only, never
  // stored, logged or returned.
  std::optional<std::string> token{};
  bool offline = false;  // the client is offline: never pull, serve only what is cached
  // The model's files as the client passed them (io::MakePassedFileSet), read with the
  // client's rights; `model` then only names them. Null: `model` is located.
  std::shared_ptr<const io::ModelFileSet> files{};
};

struct CompletionRequest {
  ModelRequest target;
  bool chat = false;
  std::string prompt;                                 // generate
  bool raw = false;                                   // generate: no BOS/EOS added
  nlohmann::json messages = nlohmann::json::array();  // chat: [{role, content}, ...]
  nlohmann::json variables;                           // chat: extra template variables
  sampling::SamplingParams sampling;
  // Absent: no log-probabilities. Otherwise each generated token's, with this many (0 to
  // runtime::kMaxTopLogits) alternatives.
  std::optional<int32_t> top_logprobs;
};

// One answered generate/chat request.
struct Completion {
  std::string model;  // the resident model's name
  std::string backend, device, text;
  std::string thinking;     // a harmony model's analysis (text holds its final answer)
  std::string stop_reason;  // "eos", "stop", "length", "context"
  int32_t prompt_tokens = 0, cached_tokens = 0, completion_tokens = 0;
  double load_ms = 0, queue_ms = 0, ttft_ms = 0, total_ms = 0;
  double prompt_tokens_per_second = 0, tokens_per_second = 0;
  // One per completion token (in order) when the request asked for them.
  std::vector<runtime::TokenLogprobs> logprobs;
};

// embed: texts to turn into vectors with an embedding model.
struct EmbedRequest {
  ModelRequest target;
  std::vector<std::string> texts;  // at least one
  // A text longer than the model's context is cut to it (keeping its closing special
  // token); false: such a text is refused.
  bool truncate = true;
  bool normalize = true;  // L2-normalize each vector
};

// One answered embed request: a vector per text, in order.
struct Embeddings {
  std::string model, backend, device;
  std::vector<std::vector<float>> vectors;
  int32_t prompt_tokens = 0;  // every text's tokens, specials included, after truncation
  double load_ms = 0, queue_ms = 0, total_ms = 0;
};

// What a request that may pull, load and generate reports on the way. Each may be empty.
struct ServeEvents {
  std::function<void(std::string_view phase)> on_phase;  // "pulling", "loading", "ready"
  hub::ProgressFn on_progress;                           // download progress
  model::BuildProgress on_building;  // a load writing derived weights (docs/formats.md)
  // The request is served differently from what it asked (e.g. the resident model's ctx).
  std::function<void(const std::string& notice)> on_notice;
  std::function<void(std::string_view backend)> on_backend;  // the model is resident there
  std::function<void(int32_t position)> on_queued;           // 1 = next
  // Text that became final, how many tokens produced it and, when the request asked for
  // them, those tokens' log-probabilities (valid for the call). Tokens after the last text
  // (an end-of-sequence, a held-back stop string) are in Completion::logprobs only.
  std::function<void(std::string_view text, int32_t tokens,
                     std::span<const runtime::TokenLogprobs> logprobs)>
      on_text;
  // A harmony model's (gpt-oss) reasoning as it streams: the text of its analysis and
  // commentary channels, which on_text and Completion::text leave out.
  std::function<void(std::string_view thinking)> on_thinking;
};

struct PullRequest {
  hub::ModelRef ref;
  hub::PullOptions options;
  bool detach = false;  // answer at once with the pull's id; it goes on in the background
};

struct PullAnswer {
  std::optional<uint64_t> detached_id;  // set for a detached pull, answered at once
  hub::PullResult result;               // an attached pull's result
  bool joined = false;                  // it attached to a pull already running
};

struct PsReport {
  int64_t memory_budget_bytes = 0, memory_used_bytes = 0;
  std::vector<ResidentInfo> models;
};

struct CacheListing {
  std::filesystem::path cache_dir;
  std::string token_source;  // "none", "config", "HF_TOKEN", "token_file"; never the token
  std::vector<hub::CachedModel> models;
};

// What `rm` removed.
struct RemoveAnswer {
  std::string removed;  // the reference, as parsed
  std::size_t files = 0;
  uint64_t freed_bytes = 0;           // the blobs' and the derived files built from them
  std::vector<std::string> unloaded;  // resident models using the files, unloaded first
};

struct ServiceOptions {
  ManagerOptions manager;
  std::size_t max_pulls_per_user = 4;
  std::size_t max_loads_per_user = 2;
  std::size_t max_tasks = 256;         // slow operations running at once, all users
  std::size_t text_cache_entries = 4;  // tokenizers kept for tokenize and loads
  std::size_t max_metric_models = 64;  // model names that get their own metric series
  // Makes the observer that sees one pull's progress once, however many requests wait for
  // it (the daemon counts hfd_download_bytes_total there). May be empty.
  std::function<hub::ProgressFn()> pull_meter;
  // The daemon's folder for derived weights of local paths and passed files (config
  // models.derived_dir); empty: they are repacked in memory.
  std::filesystem::path derived_dir;
};

// The Hub side, built by the daemon from its environment and configuration.
struct HubSetup {
  Status config_error;                        // why the Hub settings could not be read
  std::shared_ptr<const hub::Puller> puller;  // null when config_error is set
  std::string token_source = "none";
};

class Service {
 public:
  Service(ServiceOptions options, HubSetup hub);
  // Shutdown(Unavailable) unless already done.
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // generate / chat: locate (pulling when allowed), load, tokenize, queue, generate.
  void Complete(const Caller& caller, CompletionRequest request, ServeEvents events,
                const std::atomic<bool>* cancel,
                const std::function<void(Result<Completion>)>& done);
  // embed: locate (pulling when allowed), load, tokenize, queue, then every text in one
  // batch on a slot. Unsupported for a model without pooling (a text generator).
  void Embed(const Caller& caller, EmbedRequest request, ServeEvents events,
             const std::atomic<bool>* cancel, const std::function<void(Result<Embeddings>)>& done);
  // load: the resident model's description once it is loaded.
  void Load(const Caller& caller, ModelRequest request, ServeEvents events,
            const std::atomic<bool>* cancel, const std::function<void(Result<ResidentInfo>)>& done);
  // unload: how many running or queued requests it ended.
  Result<int> Unload(const Caller& caller, const std::string& model);
  Result<PsReport> Ps(const Caller& caller) const;

  // pull: `done` gets the result, or for a detached pull its id at once (the pull goes on
  // and is listed by Pulls). A pull of what is already being pulled (same reference and
  // options) attaches to it, with a notice: one transfer, the same progress for every
  // client; a client that cancels detaches alone (serve/shared_pull.h).
  void Pull(const Caller& caller, const PullRequest& request, const ServeEvents& events,
            const std::atomic<bool>* cancel, const std::function<void(Result<PullAnswer>)>& done);
  Result<std::vector<hub::PullRecord>> Pulls(const Caller& caller) const;
  Result<CacheListing> List(const Caller& caller) const;
  // rm: removes `model` from the Hub cache (hub::PlanRemoval says what). A resident model
  // using those files is unloaded first with `force`, else the removal is refused.
  Result<RemoveAnswer> Remove(const Caller& caller, const std::string& model, bool force);

  // The tokenizer and chat template of a model, never its weights (`target`'s options and
  // pull are not used: these never load or pull).
  void Tokenize(const Caller& caller, ModelRequest target, std::string text, bool add_special,
                const std::function<void(Result<std::vector<int32_t>>)>& done);
  // `ids` are checked against the vocabulary.
  void Detokenize(const Caller& caller, ModelRequest target, std::vector<int64_t> ids,
                  bool skip_special, const std::function<void(Result<std::string>)>& done);
  void RenderChat(const Caller& caller, ModelRequest target, nlohmann::json messages,
                  bool add_generation_prompt, nlohmann::json variables,
                  const std::function<void(Result<std::string>)>& done);

  // Models preloaded at start (configuration `initial_load`), in the background.
  void StartInitialLoads(std::vector<std::string> models);
  // In the background: removes the daemon folder's derived files of local sources that are
  // gone or changed (PruneDaemonDerived).
  void StartDerivedCleanup();

  // The value of a `model` metric label for a name a client sent: the name itself once a
  // model of that name was pulled or loaded (up to max_metric_models names), else
  // "other", so unknown names cannot grow the metrics without bound.
  std::string MetricLabel(const std::string& model) const;

  // Something keeps the daemon from exiting when idle: resident models or running pulls.
  bool Busy() const;
  const ModelManager& manager() const { return manager_; }
  // Where the Hub token came from ("none", "config", "HF_TOKEN", "token_file").
  const std::string& token_source() const { return hub_.token_source; }
  // The Hub settings in use (endpoint, cache folder), for `status`; null when they could
  // not be read (hub_config_error() says why).
  const hub::HubConfig* hub_config() const {
    return hub_.puller ? &hub_.puller->config() : nullptr;
  }
  const Status& hub_config_error() const { return hub_.config_error; }

  // Cancels pulls and requests, unloads everything, joins the threads. Idempotent.
  void Shutdown(const Status& reason);

 private:
  struct Acquired;

  // Runs `task` on a task thread; Busy or Unavailable when it cannot start.
  Status Spawn(std::function<void()> task);
  // Where `model` is, pulling it when it is a Hub id not cached and the caller may; a
  // model not found comes with cached names close to it.
  Result<LocatedModel> Locate(const Caller& caller, const ModelRequest& request,
                              const ServeEvents& events, const std::atomic<bool>* cancel);
  // Locate's second step: pulls `request`'s Hub model, if the caller and request allow.
  Result<LocatedModel> PullToServe(const Caller& caller, const ModelRequest& request,
                                   const ServeEvents& events, const std::atomic<bool>* cancel);
  Result<Acquired> LocateAndLoad(const Caller& caller, ModelRequest request,
                                 const ServeEvents& events, const std::atomic<bool>* cancel);
  // Applies what a caller's rights allow of `options` for the model at `source`.
  Status LimitOptions(const Caller& caller, const LocatedModel& located, LoadOptions& options,
                      const ServeEvents& events) const;
  struct PullAttachment {
    std::shared_ptr<SharedPull> pull;
    std::shared_ptr<SharedPull::Client> client;  // null for a detached request
    bool joined = false;                         // the pull was already running
  };
  // Attaches `request` (reporting to `progress`) to the running pull of the same reference
  // and options, or starts one on a task thread, which holds `hold` (may be null) while it
  // runs. A detached request keeps the pull going in the background instead.
  Result<PullAttachment> AttachToPull(const PullRequest& request, hub::ProgressFn progress,
                                      std::shared_ptr<const void> hold);
  // The task of a pull started by AttachToPull, known as `key` in shared_pulls_.
  void RunSharedPull(const PullRequest& request, const std::shared_ptr<SharedPull>& pull,
                     const std::string& key);
  // Where `request` is without pulling: its passed files, or its model located when the
  // caller may name it.
  Result<LocatedModel> LocateCached(const Caller& caller, const ModelRequest& request) const;
  // `status` with "did you mean" cached names close to `model` when it is NotFound.
  Status WithSuggestions(const Status& status, const std::string& model) const;
  Result<std::shared_ptr<const ModelText>> TextOf(const Caller& caller, const ModelRequest& target);
  void Remember(const std::string& model);
  void Admit(const Caller& caller, const CompletionRequest& request, const ServeEvents& events,
             const std::atomic<bool>* cancel, const std::function<void(Result<Completion>)>& done);
  void AdmitEmbed(const Caller& caller, const EmbedRequest& request, const ServeEvents& events,
                  const std::atomic<bool>* cancel,
                  const std::function<void(Result<Embeddings>)>& done);

  const ServiceOptions options_;
  const HubSetup hub_;
  ModelTextCache texts_;
  ModelLocator locator_;
  ModelManager manager_;
  hub::PullRegistry pulls_;
  std::mutex shared_mu_;
  // Running pulls clients may attach to, by reference and options; guarded by shared_mu_.
  std::map<std::string, std::shared_ptr<SharedPull>> shared_pulls_;
  UserLimits pull_limits_;
  UserLimits load_limits_;
  mutable std::mutex known_mu_;
  std::set<std::string> known_models_;  // guarded by known_mu_
  std::atomic<bool> stopping_{false};   // Shutdown began: initial loads stop
  TaskThreads tasks_;                   // last: its threads use everything above
};

}  // namespace hfd::serve
