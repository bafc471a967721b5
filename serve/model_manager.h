// The resident models of the daemon: loads them (a second load of a model being loaded
// waits for the first), unloads them on request, when their keep_alive runs out (a reaper
// thread sleeping on a condition variable until the next expiry) or to make room under
// the memory budget (idle models, least recently used first), and lists them for `ps`.
//
// Threading: every public method is thread-safe. Loads run on the calling thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
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

namespace hfd::serve {

struct ManagerOptions {
  int64_t memory_budget_bytes = 0;  // 0: AutomaticMemoryBudget()
  double keep_alive_seconds = 300;
  int32_t max_concurrency = 1;
  int32_t max_queue = 8;
  int32_t default_context = 8192;
  backends::BackendRequest backend;  // kind and device when a load names none
  int32_t prefill_batch = 128;
};

// One load: the resolved source plus the options the client gave (absent: defaults).
struct LoadRequest {
  std::string name;
  std::filesystem::path source;
  std::string revision, commit;
  std::optional<backends::BackendKind> backend;
  std::optional<std::string> device;
  std::optional<int32_t> ctx;
  std::optional<double> keep_alive_seconds;
  std::optional<int32_t> max_concurrency;
  std::optional<int32_t> max_queue;
  const std::atomic<bool>* cancel = nullptr;  // stops waiting for another load of it
  std::function<void()> on_loading;           // called when this call starts loading
};

class ModelManager {
 public:
  explicit ModelManager(ManagerOptions options);
  // Shutdown(Unavailable) unless already done.
  ~ModelManager();
  ModelManager(const ModelManager&) = delete;
  ModelManager& operator=(const ModelManager&) = delete;

  // The resident model for `request.source`, loading it when needed (options must match
  // a resident model's; keep_alive and max_queue update it). `*loaded` says whether this
  // call loaded it. The caller holds the model only briefly (to submit a request): a
  // model held by a caller is never unloaded for idleness or evicted.
  Result<std::shared_ptr<ResidentModel>> Acquire(const LoadRequest& request,
                                                 bool* loaded = nullptr);

  // Unloads the model loaded from `source`: its requests end with Cancelled("model
  // unloaded"). Returns how many were ended; NotFound when it is not resident.
  Result<int> Unload(const std::filesystem::path& source);

  std::vector<ResidentInfo> Ps() const;
  int64_t memory_budget_bytes() const { return budget_; }
  int64_t memory_used_bytes() const;
  bool HasResidentModels() const;

  // Runs `work` on a thread the manager owns (initial loads), joined at shutdown; `stop`
  // becomes true when the manager shuts down.
  void RunInBackground(std::function<void(const std::atomic<bool>& stop)> work);

  // Ends every request with `reason`, unloads everything, joins the threads. Idempotent.
  void Shutdown(const Status& reason);

 private:
  struct PendingLoad {
    bool done = false;
    Status status;
    int64_t reserved_bytes = 0;
  };

  Status CheckMatches(const ResidentModel& model, const LoadRequest& request) const;
  Result<std::shared_ptr<ResidentModel>> LoadNew(const LoadRequest& request,
                                                 std::unique_lock<std::mutex>& lock,
                                                 const std::shared_ptr<PendingLoad>& pending);
  // Chooses ctx and reserves memory, evicting idle models into `victims`.
  Result<LoadSpec> PlanLoad(const LoadRequest& request, const model::ModelFiles& files,
                            std::vector<std::shared_ptr<ResidentModel>>& victims,
                            PendingLoad& pending);
  int64_t UsedLocked() const;
  bool EvictableLocked(const std::shared_ptr<ResidentModel>& model) const;
  void ReaperLoop();
  void WakeReaper();

  const ManagerOptions options_;
  const int64_t budget_;
  mutable std::mutex mu_;
  std::condition_variable load_cv_;    // a pending load finished
  std::condition_variable reaper_cv_;  // something that may change an expiry happened
  std::map<std::filesystem::path, std::shared_ptr<ResidentModel>> resident_;
  std::map<std::filesystem::path, std::shared_ptr<PendingLoad>> loading_;
  bool shutdown_ = false;  // guarded by mu_
  std::atomic<bool> stop_background_{false};
  std::mutex shutdown_mu_;  // serialises Shutdown
  std::thread reaper_;
  std::vector<std::thread> background_;  // guarded by mu_
};

}  // namespace hfd::serve
