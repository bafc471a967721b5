// The resident models of the daemon: loads them (a second load of a model being loaded
// waits for the first), unloads them on request, when their keep_alive runs out (a reaper
// thread sleeping on a condition variable until the next expiry) or to make room under
// the memory budget (idle models, least recently used first), and lists them for `ps`.
//
// Threading: every public method is thread-safe. Loads run on the calling thread.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "serve/resident_model.h"
#include "serve/text_cache.h"

namespace hfd::serve {

struct ManagerOptions {
  int64_t memory_budget_bytes = 0;  // 0: AutomaticMemoryBudget()
  double keep_alive_seconds = 300;
  int32_t max_concurrency = 1;
  int32_t max_queue = 8;
  int32_t default_context = 8192;
  backends::BackendRequest backend;  // kind and device when a load names none
  int32_t prefill_batch = 128;
  // KV positions of a batched model's shared pool; 0: max_concurrency × ctx. Either is
  // lowered to what the memory budget leaves, never below one whole context.
  int64_t kv_pool_tokens = 0;
  // Whether a batched model's requests share cached prompt prefixes (runtime::
  // SequenceBatchOptions::prefix_cache).
  bool prefix_cache = true;
};

// Settings of a model's load. Absent: the resident model's, else the defaults.
struct LoadOptions {
  std::optional<backends::BackendKind> backend;
  std::optional<std::string> device;
  std::optional<int32_t> ctx;
  std::optional<double> keep_alive_seconds;
  std::optional<int32_t> max_concurrency;
  std::optional<int32_t> max_queue;
};

// One load: the resolved source plus the options the client gave.
struct LoadRequest {
  std::string name;
  ModelSource source;
  LoadOptions options;
  const std::atomic<bool>* cancel = nullptr;  // stops waiting for another load of it
  std::function<void()> on_loading;           // called when this call starts loading
  // Called (no lock held) when the load differs from what was asked: a resident model
  // reloaded with other settings, a ctx clamped to the model's maximum or the budget.
  std::function<void(const std::string&)> on_notice;
  // Called while this call builds a derived-weights file (gpt-oss's repacked experts).
  model::BuildProgress on_building;
  // Who loads it, and whether making room may unload models other users loaded (the
  // manage level) or only the caller's own.
  uid_t owner = 0;
  bool may_evict_others = true;
};

class ModelManager {
 public:
  // `texts` (may be null: no sharing) reads each model's tokenizer and template; it must
  // outlive the manager.
  ModelManager(ManagerOptions options, ModelTextCache* texts);
  // Shutdown(Unavailable) unless already done.
  ~ModelManager();
  ModelManager(const ModelManager&) = delete;
  ModelManager& operator=(const ModelManager&) = delete;

  // The resident model for `request.source` (by its key), loading it when needed. A resident
  // model loaded with other ctx, backend, device or max_concurrency is reloaded with those
  // asked for (the rest kept) when it is idle and the request may evict others' models (the
  // manage level); Busy while it has requests; InvalidArgument otherwise. keep_alive and
  // max_queue update it in place. `*loaded` says whether this call loaded it. The caller
  // holds the model only briefly (to submit a request): a model held by a caller is never
  // unloaded for idleness or evicted.
  Result<std::shared_ptr<ResidentModel>> Acquire(const LoadRequest& request,
                                                 bool* loaded = nullptr);

  // Unloads the model loaded from the source with `key` (ModelSource::key): its requests
  // end with Cancelled("model unloaded"). Returns how many were ended; NotFound when it is
  // not resident.
  Result<int> Unload(const std::string& key);

  // The resident model loaded from the source with `key`, or null.
  std::shared_ptr<ResidentModel> Find(const std::string& key) const;
  // The resident models whose load spec `matches` (called under the manager's lock).
  std::vector<std::shared_ptr<ResidentModel>> ResidentWhere(
      const std::function<bool(const LoadSpec&)>& matches) const;
  // The key of the resident model loaded under `name` (its `ps` name), if any.
  std::optional<std::string> KeyOfName(const std::string& name) const;

  std::vector<ResidentInfo> Ps() const;
  int64_t memory_budget_bytes() const { return budget_; }
  int64_t memory_used_bytes() const;
  bool HasResidentModels() const;

  // Ends every request with `reason`, unloads everything, joins the threads. Idempotent.
  void Shutdown(const Status& reason);

 private:
  struct PendingLoad {
    bool done = false;
    Status status;
    int64_t reserved_bytes = 0;
  };

  // Loads `request` (whose key is in loading_ as `pending`), first stopping `replaced`, the
  // resident model it reloads (may be null).
  Result<std::shared_ptr<ResidentModel>> LoadNew(const LoadRequest& request,
                                                 std::unique_lock<std::mutex>& lock,
                                                 const std::shared_ptr<PendingLoad>& pending,
                                                 std::shared_ptr<ResidentModel> replaced);
  // Chooses ctx (clamping an asked one, with a notice) and reserves memory, evicting idle
  // models into `victims`.
  Result<LoadSpec> PlanLoad(const LoadRequest& request, const model::ModelFiles& files,
                            std::vector<std::shared_ptr<ResidentModel>>& victims,
                            PendingLoad& pending, std::vector<std::string>& notices);
  // Takes resident model `it` out to be reloaded with `request`'s settings (`differs` says
  // how it differs), when it is idle and the request may; else why not.
  Result<std::shared_ptr<ResidentModel>> TakeForReload(
      std::map<std::string, std::shared_ptr<ResidentModel>>::iterator it,
      const LoadRequest& request, const std::string& differs);
  int64_t UsedLocked() const;
  bool EvictableLocked(const std::shared_ptr<ResidentModel>& model) const;
  // Evictable, and the request may evict it (its own, or anyone's with may_evict_others).
  bool EvictableForLocked(const std::shared_ptr<ResidentModel>& model,
                          const LoadRequest& request) const;
  void ReaperLoop();
  void WakeReaper();

  const ManagerOptions options_;
  ModelTextCache* const texts_;
  const int64_t budget_;
  mutable std::mutex mu_;
  std::condition_variable load_cv_;    // a pending load finished
  std::condition_variable reaper_cv_;  // something that may change an expiry happened
  std::map<std::string, std::shared_ptr<ResidentModel>> resident_;  // by ModelSource::key
  std::map<std::string, std::shared_ptr<PendingLoad>> loading_;
  bool shutdown_ = false;   // guarded by mu_
  std::mutex shutdown_mu_;  // serialises Shutdown
  std::thread reaper_;
};

}  // namespace hfd::serve
