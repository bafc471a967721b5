#include "serve/model_manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "common/units.h"

namespace hfd::serve {
namespace {

using Clock = std::chrono::steady_clock;

// A model held only by the manager whose keep_alive ran out is re-checked this often
// while a caller still holds it (between acquiring and submitting).
constexpr auto kHeldRecheck = std::chrono::milliseconds(100);
// How often a caller waiting for another caller's load looks at its cancel flag.
constexpr auto kLoadWaitCheck = std::chrono::milliseconds(100);
constexpr int32_t kMinContext = 16;

Status Unloaded(const std::string& name) { return Cancelled("model " + name + " unloaded"); }

// What a load may use, and which limit sets it: its share of the memory budget, or the
// memory this machine has available (MemAvailable, plus what unloading idle models frees).
struct LoadRoom {
  int64_t budget_free = 0;
  int64_t budget = 0;
  int64_t machine_free = INT64_MAX;  // INT64_MAX: the kernel did not say
  int64_t bytes() const { return std::min(budget_free, machine_free); }
  std::string Describe() const {
    if (machine_free < budget_free) {
      return FormatBytes(std::max<int64_t>(machine_free, 0)) +
             " available on this machine (MemAvailable)";
    }
    return FormatBytes(std::max<int64_t>(budget_free, 0)) + " of the " + FormatBytes(budget) +
           " memory budget";
  }
};

// "1.2 GiB (weights 1.0 GiB, every expert's included; KV cache and scratch 0.2 GiB at ctx
// 256, 1 slot)": what a load needs (`need` bytes), and of what.
std::string NeedText(const MemoryEstimate& e, int64_t need, int32_t ctx, int32_t slots) {
  return FormatBytes(need) + " (weights " + FormatBytes(e.weights_bytes) +
         "; KV cache and scratch " + FormatBytes(need - e.weights_bytes) + " at ctx " +
         std::to_string(ctx) + ", " + std::to_string(slots) + " slot(s))";
}

// The settings of `options` that `model` was not loaded with, as it has them ("ctx 2048,
// backend cpu"); empty when it matches. A ctx matches the model's, or the one its load
// asked for and was clamped from.
std::string SettingsDiffer(const ResidentModel& model, const LoadOptions& options) {
  const LoadSpec& spec = model.spec();
  std::string differs;
  const auto add = [&differs](const std::string& what) {
    differs += (differs.empty() ? "" : ", ") + what;
  };
  if (options.ctx && *options.ctx != model.ctx() && options.ctx != spec.asked_ctx) {
    add("ctx " + std::to_string(model.ctx()));
  }
  if (options.max_concurrency && *options.max_concurrency != spec.max_concurrency) {
    add("max_concurrency " + std::to_string(spec.max_concurrency));
  }
  if (options.backend && *options.backend != backends::BackendKind::kAuto &&
      backends::BackendKindName(*options.backend) != model.backend_name()) {
    add("backend " + model.backend_name());
  }
  if (options.device && *options.device != spec.backend.device) {
    add("device '" + spec.backend.device + "'");
  }
  return differs;
}

// `request` reloading `model`: the settings it asks for, the model's for the rest.
LoadRequest Reloading(const LoadRequest& request, const ResidentModel& model) {
  LoadRequest out = request;
  const LoadSpec& spec = model.spec();
  const ResidentInfo info = model.Info();
  LoadOptions& o = out.options;
  if (!o.backend) o.backend = spec.backend.kind;
  if (!o.device) o.device = spec.backend.device;
  if (!o.ctx) o.ctx = spec.asked_ctx;
  if (!o.max_concurrency) o.max_concurrency = spec.max_concurrency;
  if (!o.keep_alive_seconds) o.keep_alive_seconds = info.keep_alive_seconds;
  if (!o.max_queue) o.max_queue = info.max_queue;
  return out;
}

}  // namespace

ModelManager::ModelManager(ManagerOptions options, ModelTextCache* texts)
    : options_(std::move(options)),
      texts_(texts),
      budget_(options_.memory_budget_bytes > 0 ? options_.memory_budget_bytes
                                               : AutomaticMemoryBudget()) {
  reaper_ = std::thread([this] { ReaperLoop(); });
}

ModelManager::~ModelManager() { Shutdown(Unavailable("the daemon is shutting down")); }

Result<std::shared_ptr<ResidentModel>> ModelManager::Acquire(const LoadRequest& request,
                                                             bool* loaded) {
  if (loaded != nullptr) *loaded = false;
  std::unique_lock lock(mu_);
  std::shared_ptr<ResidentModel> replaced;  // a resident model this call reloads
  while (true) {
    if (shutdown_) return Unavailable("the daemon is shutting down");
    if (auto it = resident_.find(request.source.key);
        it != resident_.end() && it->second->damaged()) {
      // Its file changed under it: drop it and load the file as it is now.
      std::shared_ptr<ResidentModel> damaged = std::move(it->second);
      resident_.erase(it);
      lock.unlock();
      damaged->Stop(Unloaded(damaged->spec().name));
      damaged.reset();
      lock.lock();
      continue;
    }
    if (auto it = resident_.find(request.source.key); it != resident_.end()) {
      const std::string differs = SettingsDiffer(*it->second, request.options);
      if (!differs.empty()) {
        HFD_ASSIGN_OR_RETURN(replaced, TakeForReload(it, request, differs));
        break;
      }
      std::shared_ptr<ResidentModel> model = it->second;
      const LoadOptions& o = request.options;
      if (o.keep_alive_seconds) model->SetKeepAlive(*o.keep_alive_seconds);
      if (o.max_queue) model->SetMaxQueue(*o.max_queue);
      reaper_cv_.notify_all();
      return model;
    }
    auto it = loading_.find(request.source.key);
    if (it == loading_.end()) break;
    const std::shared_ptr<PendingLoad> pending = it->second;
    load_cv_.wait_for(lock, kLoadWaitCheck, [&] { return pending->done || shutdown_; });
    if (pending->done && !pending->status.ok()) return pending->status;
    if (request.cancel != nullptr && request.cancel->load()) {
      return Cancelled("cancelled while waiting for the model to load");
    }
  }
  auto pending = std::make_shared<PendingLoad>();
  loading_[request.source.key] = pending;
  Result<std::shared_ptr<ResidentModel>> model =
      replaced == nullptr ? LoadNew(request, lock, pending, nullptr)
                          : LoadNew(Reloading(request, *replaced), lock, pending, replaced);
  loading_.erase(request.source.key);
  pending->done = true;
  pending->status = model.status();
  if (model.ok()) {
    if (shutdown_) {
      lock.unlock();
      (*model)->Stop(Unavailable("the daemon is shutting down"));
      return Unavailable("the daemon is shutting down");
    }
    resident_[request.source.key] = *model;
    const ResidentInfo info = (*model)->Info();
    spdlog::info("loaded {} on {} ({}), ctx {}, {} slot(s), {} bytes, in {:.2f} s", info.name,
                 info.backend, info.device, info.ctx, info.max_concurrency, info.memory_bytes,
                 info.load_seconds);
    if (loaded != nullptr) *loaded = true;
  }
  load_cv_.notify_all();
  reaper_cv_.notify_all();
  return model;
}

Result<std::shared_ptr<ResidentModel>> ModelManager::TakeForReload(
    std::map<std::string, std::shared_ptr<ResidentModel>>::iterator it, const LoadRequest& request,
    const std::string& differs) {
  const ResidentModel& model = *it->second;
  const std::string& name = model.spec().name;
  if (!request.may_evict_others) {
    return InvalidArgument("model " + name + " is loaded with " + differs +
                           "; loading it with other settings needs the 'manage' level");
  }
  if (!EvictableLocked(it->second)) {
    const ResidentInfo info = model.Info();
    return Busy("model " + name + " is loaded with " + differs + " and has " +
                std::to_string(info.running) + " running and " + std::to_string(info.queued) +
                " queued request(s); it is reloaded with the settings asked for only when idle: "
                "retry once they finish, leave those settings out to be served as it is, or "
                "`hfctl unload " +
                name + "` (ending them)");
  }
  std::shared_ptr<ResidentModel> taken = std::move(it->second);
  resident_.erase(it);
  return taken;
}

Result<std::shared_ptr<ResidentModel>> ModelManager::LoadNew(
    const LoadRequest& request, std::unique_lock<std::mutex>& lock,
    const std::shared_ptr<PendingLoad>& pending, std::shared_ptr<ResidentModel> replaced) {
  lock.unlock();
  if (replaced != nullptr) {
    const std::string differs = SettingsDiffer(*replaced, request.options);
    spdlog::info("reloading {}: it was loaded with {}", replaced->spec().name, differs);
    if (request.on_notice) {
      request.on_notice("model " + replaced->spec().name + " was loaded with " + differs +
                        "; reloading it with the settings this request asks for");
    }
    replaced->Stop(Unloaded(replaced->spec().name));
    replaced.reset();  // its memory is free before the new load is planned
  }
  if (request.on_loading) request.on_loading();
  const ModelSource& source = request.source;
  // The source's store, telling this call how a build goes (the model's files keep it for
  // builds at the backend's first compile; the callback holds the request weakly).
  const std::optional<model::DerivedStore> derived =
      source.derived == nullptr
          ? std::nullopt
          : std::optional<model::DerivedStore>(source.derived->WithProgress(request.on_building));
  Result<std::unique_ptr<model::ModelFiles>> files =
      model::OpenModelFiles(*source.files, source.gguf, derived ? &*derived : nullptr);
  Result<std::shared_ptr<const ModelText>> text =
      !files.ok()         ? Result<std::shared_ptr<const ModelText>>(files.status())
      : texts_ != nullptr ? texts_->Get(source)
                          : LoadModelText(source);
  lock.lock();
  HFD_RETURN_IF_ERROR(files.status());
  HFD_RETURN_IF_ERROR(text.status());
  std::vector<std::shared_ptr<ResidentModel>> victims;
  std::vector<std::string> notices;
  Result<LoadSpec> spec = PlanLoad(request, **files, victims, *pending, notices);
  lock.unlock();
  for (const std::string& notice : notices) {
    if (request.on_notice) request.on_notice(notice);
  }
  for (const auto& victim : victims) {
    spdlog::info("evicting idle model {} to make room for {}", victim->spec().name, request.name);
    victim->Stop(Unloaded(victim->spec().name));
  }
  victims.clear();
  Result<std::unique_ptr<ResidentModel>> model =
      spec.ok() ? ResidentModel::Load(*spec, std::move(files).value(), std::move(text).value(),
                                      [this] { WakeReaper(); })
                : Result<std::unique_ptr<ResidentModel>>(spec.status());
  lock.lock();
  HFD_RETURN_IF_ERROR(model.status());
  return std::shared_ptr<ResidentModel>(std::move(model).value());
}

Result<LoadSpec> ModelManager::PlanLoad(const LoadRequest& r, const model::ModelFiles& files,
                                        std::vector<std::shared_ptr<ResidentModel>>& victims,
                                        PendingLoad& pending, std::vector<std::string>& notices) {
  LoadSpec spec;
  spec.name = r.name;
  spec.source = r.source;
  spec.owner = r.owner;
  spec.backend = options_.backend;
  const LoadOptions& o = r.options;
  if (o.backend) spec.backend.kind = *o.backend;
  if (o.device) spec.backend.device = *o.device;
  spec.max_concurrency = o.max_concurrency.value_or(options_.max_concurrency);
  spec.max_queue = o.max_queue.value_or(options_.max_queue);
  spec.keep_alive_seconds = o.keep_alive_seconds.value_or(options_.keep_alive_seconds);
  spec.prefill_batch = options_.prefill_batch;
  spec.prefix_cache = options_.prefix_cache;
  if (spec.max_concurrency < 1) return InvalidArgument("max_concurrency must be at least 1");

  // What evicting every idle model this request may evict would leave for this one, and
  // what evicting every idle model would.
  int64_t pinned = 0;
  int64_t pinned_by_others = 0;
  for (const auto& [path, model] : resident_) {
    if (!EvictableLocked(model)) {
      pinned += model->memory_bytes();
    } else if (!EvictableForLocked(model, r)) {
      pinned_by_others += model->memory_bytes();
    }
  }
  int64_t loading = 0;
  for (const auto& [path, load] : loading_) loading += load->reserved_bytes;
  pinned += loading;
  LoadRoom room;
  room.budget = budget_;
  room.budget_free = budget_ - pinned - pinned_by_others;
  // Unloading an idle model frees its KV caches and scratch; its mapped weights are page
  // cache, which MemAvailable counts already.
  int64_t evictable_private = 0;
  for (const auto& [path, model] : resident_) {
    if (EvictableForLocked(model, r))
      evictable_private += model->memory_bytes() - model->weights_bytes();
  }
  const std::optional<int64_t> mem_available = MemAvailableBytes();
  if (mem_available) room.machine_free = *mem_available - loading + evictable_private;
  const int64_t available = room.bytes();
  const auto train_ctx = static_cast<int32_t>(std::min<int64_t>(
      files.desc().n_ctx_train > 0 ? files.desc().n_ctx_train : INT32_MAX, INT32_MAX));
  const auto estimate_for = [&](int32_t ctx) {
    return EstimateMemory(files, ctx, spec.prefill_batch);
  };
  // Batched slots share one KV pool (resident_model.cc), which needs room for one whole
  // context at least; separate sessions need a whole cache each.
  const bool pooled = spec.max_concurrency > 1 && files.desc().pooling == model::Pooling::kNone;
  const auto least_need = [&](int32_t ctx) {
    const MemoryEstimate e = estimate_for(ctx);
    return pooled ? e.with_kv(spec.max_concurrency, e.kv_bytes_per_slot)
                  : e.total(spec.max_concurrency);
  };
  spec.asked_ctx = o.ctx;
  if (o.ctx) {
    if (*o.ctx < kMinContext) return InvalidArgument("ctx must be at least 16");
    spec.ctx = std::min(*o.ctx, train_ctx);
    if (spec.ctx < *o.ctx) {
      notices.push_back("ctx " + std::to_string(*o.ctx) + " is more than " + r.name +
                        " was trained for: loaded with its maximum, ctx " +
                        std::to_string(spec.ctx));
    }
    if (const int64_t asked = least_need(spec.ctx); asked > available) {
      const int32_t fits = LargestFittingContext(files, spec.max_concurrency, spec.ctx,
                                                 spec.prefill_batch, available, pooled);
      if (fits >= kMinContext) {
        notices.push_back("ctx " + std::to_string(spec.ctx) + " needs " + FormatBytes(asked) +
                          " and this load may use " + room.Describe() + ": loaded with ctx " +
                          std::to_string(fits) +
                          " (unload a model or raise models.memory_budget for more)");
        spec.ctx = fits;
      }
    }
  } else {
    const int32_t limit = std::min(train_ctx, options_.default_context);
    spec.ctx = std::min(limit, LargestFittingContext(files, spec.max_concurrency, limit,
                                                     spec.prefill_batch, available, pooled));
    if (spec.ctx < kMinContext) {
      spec.ctx = std::min(limit, kMinContext);
    } else if (spec.ctx < limit) {
      notices.push_back(
          "the default ctx " + std::to_string(limit) + " needs " + FormatBytes(least_need(limit)) +
          " and this load may use " + room.Describe() + ": loaded with ctx " +
          std::to_string(spec.ctx) +
          ", the largest that fits (a smaller quant or a larger models.memory_budget leaves "
          "room for more)");
    }
  }
  const MemoryEstimate estimate = estimate_for(spec.ctx);
  if (pooled) {
    spec.kv_pool_positions = KvPoolPositions(estimate, spec.max_concurrency, spec.ctx,
                                             options_.kv_pool_tokens, available);
  }
  const int64_t need =
      pooled ? estimate.with_kv(spec.max_concurrency,
                                spec.kv_pool_positions * estimate.kv_bytes_per_position)
             : estimate.total(spec.max_concurrency);
  const std::string need_text = NeedText(estimate, need, spec.ctx, spec.max_concurrency);
  if (need > room.machine_free) {
    return OutOfMemory("model " + r.name + " needs " + need_text + " but this machine has only " +
                       FormatBytes(std::max<int64_t>(room.machine_free, 0)) +
                       " available (MemAvailable in /proc/meminfo, plus what unloading idle "
                       "models frees); load it with a smaller --ctx or a smaller quant, or "
                       "free memory");
  }
  if (need > room.budget_free && need <= room.budget_free + pinned_by_others) {
    return PermissionDenied(
        "model " + r.name + " needs " + need_text +
        " and making room would unload idle models other users loaded, which needs the "
        "'manage' level; ask an administrator to load it, or to unload a model, or to raise "
        "models.memory_budget_bytes");
  }
  if (need > room.budget_free) {
    return OutOfMemory("model " + r.name + " needs " + need_text + " but only " +
                       FormatBytes(std::max<int64_t>(room.budget_free, 0)) + " of the " +
                       FormatBytes(budget_) +
                       " memory budget can be freed (busy models hold the rest); load it with "
                       "a smaller --ctx or a smaller quant, raise models.memory_budget_bytes, "
                       "or unload a model");
  }
  // Evict idle models, least recently used first, until this one fits the budget and the
  // machine's available memory.
  int64_t freed = 0;
  while (UsedLocked() + need > budget_ ||
         (mem_available && *mem_available - loading + freed < need)) {
    auto lru = resident_.end();
    for (auto it = resident_.begin(); it != resident_.end(); ++it) {
      if (!EvictableForLocked(it->second, r)) continue;
      if (lru == resident_.end() || it->second->last_used() < lru->second->last_used()) lru = it;
    }
    if (lru == resident_.end()) break;  // cannot happen: `room` counted them
    freed += lru->second->memory_bytes() - lru->second->weights_bytes();
    victims.push_back(lru->second);
    resident_.erase(lru);
  }
  pending.reserved_bytes = need;
  return spec;
}

int64_t ModelManager::UsedLocked() const {
  int64_t used = 0;
  for (const auto& [path, model] : resident_) used += model->memory_bytes();
  for (const auto& [path, load] : loading_) used += load->reserved_bytes;
  return used;
}

bool ModelManager::EvictableLocked(const std::shared_ptr<ResidentModel>& model) const {
  return model.use_count() == 1 && model->Idle();
}

bool ModelManager::EvictableForLocked(const std::shared_ptr<ResidentModel>& model,
                                      const LoadRequest& request) const {
  return EvictableLocked(model) &&
         (request.may_evict_others || model->spec().owner == request.owner);
}

std::shared_ptr<ResidentModel> ModelManager::Find(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = resident_.find(key);
  return it == resident_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<ResidentModel>> ModelManager::ResidentWhere(
    const std::function<bool(const LoadSpec&)>& matches) const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<ResidentModel>> out;
  for (const auto& [key, model] : resident_) {
    if (matches(model->spec())) out.push_back(model);
  }
  return out;
}

std::optional<std::string> ModelManager::KeyOfName(const std::string& name) const {
  std::lock_guard lock(mu_);
  for (const auto& [key, model] : resident_) {
    if (model->spec().name == name) return key;
  }
  return std::nullopt;
}

Result<int> ModelManager::Unload(const std::string& key) {
  std::shared_ptr<ResidentModel> model;
  {
    std::lock_guard lock(mu_);
    auto it = resident_.find(key);
    if (it == resident_.end()) {
      return NotFound("no model loaded from " + key + " is resident (see `ps`)");
    }
    model = std::move(it->second);
    resident_.erase(it);
  }
  const int ended = model->Stop(Unloaded(model->spec().name));
  spdlog::info("unloaded {} ({} request(s) ended)", model->spec().name, ended);
  return ended;
}

std::vector<ResidentInfo> ModelManager::Ps() const {
  std::vector<std::shared_ptr<ResidentModel>> models;
  {
    std::lock_guard lock(mu_);
    for (const auto& [path, model] : resident_) models.push_back(model);
  }
  std::vector<ResidentInfo> out;
  out.reserve(models.size());
  for (const auto& model : models) out.push_back(model->Info());
  return out;
}

int64_t ModelManager::memory_used_bytes() const {
  std::lock_guard lock(mu_);
  int64_t used = 0;
  for (const auto& [path, model] : resident_) used += model->memory_bytes();
  return used;
}

bool ModelManager::HasResidentModels() const {
  std::lock_guard lock(mu_);
  return !resident_.empty() || !loading_.empty();
}

void ModelManager::WakeReaper() {
  std::lock_guard lock(mu_);
  reaper_cv_.notify_all();
}

void ModelManager::ReaperLoop() {
  std::unique_lock lock(mu_);
  while (!shutdown_) {
    const auto now = Clock::now();
    std::optional<Clock::time_point> next;
    std::vector<std::shared_ptr<ResidentModel>> expired;
    for (auto it = resident_.begin(); it != resident_.end();) {
      const std::optional<Clock::time_point> at = it->second->ExpiresAt();
      const bool damaged = it->second->damaged() && it->second->Idle();
      if ((damaged || (at && *at <= now)) && it->second.use_count() == 1) {
        expired.push_back(std::move(it->second));
        it = resident_.erase(it);
        continue;
      }
      if (at) next = std::min(next.value_or(*at), std::max(*at, now + kHeldRecheck));
      ++it;
    }
    if (!expired.empty()) {
      lock.unlock();
      for (const auto& model : expired) {
        spdlog::info("unloading {}: idle for its keep_alive", model->spec().name);
        model->Stop(Unloaded(model->spec().name));
      }
      expired.clear();
      lock.lock();
      continue;
    }
    if (next) {
      reaper_cv_.wait_until(lock, *next);
    } else {
      reaper_cv_.wait(lock);
    }
  }
}

void ModelManager::Shutdown(const Status& reason) {
  std::vector<std::shared_ptr<ResidentModel>> models;
  std::lock_guard once(shutdown_mu_);
  if (!reaper_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    shutdown_ = true;
    for (auto& [path, model] : resident_) models.push_back(std::move(model));
    resident_.clear();
    reaper_cv_.notify_all();
    load_cv_.notify_all();
  }
  for (const auto& model : models) model->Stop(reason);
  models.clear();
  reaper_.join();
}

}  // namespace hfd::serve
