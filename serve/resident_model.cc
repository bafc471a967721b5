#include "serve/resident_model.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include <fmt/format.h>

#include "common/units.h"
#include "serve/backend_choice.h"
#include "serve/locked_backend.h"
#include "serve/resident_pages.h"

namespace hfd::serve {
namespace {

using Clock = std::chrono::steady_clock;

double MsBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

bool Cancelled(const Job& job) { return job.cancel != nullptr && job.cancel->load(); }

Status ClientCancelled() { return hfd::Cancelled("the request was cancelled"); }

void AddBatchStats(const runtime::BatchStats& s, ResidentInfo& info) {
  info.kv_blocks_used = s.kv_blocks_used;
  info.kv_blocks_cached = s.kv_blocks_cached;
  info.kv_blocks_total = s.kv_blocks_total;
  info.prefix_lookups = s.prefix_lookups;
  info.prefix_hits = s.prefix_hits;
  info.prefix_tokens_saved = s.reused_tokens;
}

}  // namespace

ResidentModel::ResidentModel(LoadSpec spec, std::unique_ptr<model::ModelFiles> files,
                             std::shared_ptr<const ModelText> text, std::function<void()> on_idle)
    : spec_(std::move(spec)),
      files_(std::move(files)),
      text_(std::move(text)),
      on_idle_(std::move(on_idle)),
      max_queue_(spec_.max_queue),
      keep_alive_seconds_(spec_.keep_alive_seconds),
      last_used_(Clock::now()) {}

Result<std::unique_ptr<ResidentModel>> ResidentModel::Load(const LoadSpec& spec,
                                                           std::unique_ptr<model::ModelFiles> files,
                                                           std::shared_ptr<const ModelText> text,
                                                           std::function<void()> on_idle) {
  if (spec.max_concurrency < 1) return InvalidArgument("max_concurrency must be at least 1");
  const auto start = Clock::now();
  std::unique_ptr<ResidentModel> model(
      new ResidentModel(spec, std::move(files), std::move(text), std::move(on_idle)));
  HFD_ASSIGN_OR_RETURN(model->backend_reason_,
                       PrepareOnBackend(spec.backend, [&](std::unique_ptr<runtime::Backend> b) {
                         Status s = model->Prepare(std::move(b));
                         if (!s.ok()) model->Release();
                         return s;
                       }));
  model->estimate_ = EstimateMemory(*model->files_, model->ctx_, spec.prefill_batch);
  model->loaded_at_ = std::chrono::system_clock::now();
  model->load_seconds_ = std::chrono::duration<double>(Clock::now() - start).count();
  model->last_used_ = Clock::now();
  for (auto& slot : model->slots_) {
    SlotState* state = slot.get();
    state->thread = std::thread([m = model.get(), state] { m->SlotLoop(*state); });
  }
  return model;
}

Status ResidentModel::Prepare(std::unique_ptr<runtime::Backend> backend) {
  backend_ = spec_.max_concurrency > 1 ? std::make_unique<LockedBackend>(std::move(backend))
                                       : std::move(backend);
  HFD_RETURN_IF_ERROR(backend_->LoadWeights(*files_));
  HFD_RETURN_IF_ERROR(CreateSessions());
  ctx_ = slots_.front()->slot.session->n_ctx();
  // Compile the decode graph now, so a backend that cannot run the model fails the load
  // (and `auto` can fall back) rather than the first request.
  runtime::TokenSession& first = *slots_.front()->slot.session;
  const int32_t probe = text_->tokenizer->bos_id() >= 0 ? text_->tokenizer->bos_id() : 0;
  if (files_->desc().pooling != model::Pooling::kNone) {
    // An embedding model: its graph is the embedding one (Session::Embed).
    return RunEmbedding(slots_.front()->slot, {{probe}}, true).status();
  }
  HFD_RETURN_IF_ERROR(first.FeedGreedy(probe).status());
  first.Idle();
  return first.Rewind(0);
}

Status ResidentModel::CreateSessions() {
  const int32_t n = spec_.max_concurrency;
  if (n > 1 && files_->desc().pooling == model::Pooling::kNone) {
    constexpr int32_t kBlock = 16;
    const int32_t ctx = runtime::ClampedContext(files_->desc(), spec_.ctx);
    HFD_ASSIGN_OR_RETURN(const int32_t n_blocks, KvPoolBlocks(ctx, kBlock));
    const runtime::SharedBatchOptions options{.batch = {.n_ctx = ctx,
                                                        .block_size = kBlock,
                                                        .n_blocks = n_blocks,
                                                        .max_step_tokens = spec_.prefill_batch + n,
                                                        .prefix_cache = spec_.prefix_cache},
                                              .chunk_tokens = spec_.prefill_batch};
    Result<std::unique_ptr<runtime::SharedBatch>> shared =
        runtime::SharedBatch::Create(*backend_, *files_, options);
    if (shared.ok()) {
      shared_ = std::move(shared).value();
      kv_pool_positions_ = int64_t{n_blocks} * kBlock;
      for (int32_t i = 0; i < n; ++i) {
        slots_.push_back(std::make_unique<SlotState>());
        slots_.back()->slot.session = shared_->NewSession();
      }
      return Status::Ok();
    }
    // A backend without KV pools serves the slots one at a time instead (the CPU and
    // Vulkan backends both have them).
    if (shared.status().code() != ErrorCode::kUnsupported) return shared.status();
  }
  const runtime::SessionOptions options{.n_ctx = spec_.ctx, .prefill_batch = spec_.prefill_batch};
  for (int32_t i = 0; i < n; ++i) {
    slots_.push_back(std::make_unique<SlotState>());
    HFD_ASSIGN_OR_RETURN(slots_.back()->slot.session,
                         runtime::Session::Create(*backend_, *files_, options));
  }
  return Status::Ok();
}

Result<int32_t> ResidentModel::KvPoolBlocks(int32_t ctx, int32_t block) {
  // The pool the load plan sized (room for one whole context at least); when the
  // sequences need more, they wait for blocks (shared_batch.h).
  const int32_t n = spec_.max_concurrency;
  const int64_t whole = (ctx + block - 1) / block;
  const int64_t planned = (spec_.kv_pool_positions + block - 1) / block;
  const int64_t blocks = planned > 0 ? std::max(planned, whole) : n * whole;
  // The plan counted host memory; a GPU holds the pool in its own, beside the weights.
  const std::optional<int64_t> device_left = backend_->device_memory_left();
  if (!device_left) return static_cast<int32_t>(blocks);
  const MemoryEstimate e = EstimateMemory(*files_, ctx, spec_.prefill_batch);
  Result<int64_t> fits = DeviceKvPoolPositions(e, n, ctx, blocks * block, *device_left);
  if (!fits.ok()) return fits.status().WithContext("model " + spec_.name);
  if (*fits < blocks * block) {
    kv_pool_reason_ = fmt::format(
        "KV pool lowered from {} to {} positions: the {} device has {} left beside what the "
        "loaded models hold (requests wait for blocks when it is full)",
        blocks * block, *fits, backend_->name(), FormatBytes(*device_left));
    spdlog::info("{}: {}", spec_.name, kv_pool_reason_);
  }
  return static_cast<int32_t>(*fits / block);
}

void ResidentModel::Release() {
  slots_.clear();
  shared_.reset();
  backend_.reset();
  kv_pool_reason_.clear();  // another backend sizes its pool afresh
}

ResidentModel::~ResidentModel() {
  Stop(Unavailable("model " + spec_.name + " unloaded"));
  slots_.clear();  // sessions before the batch and the backend they run on
  shared_.reset();
  backend_.reset();
}

std::string ResidentModel::backend_name() const {
  return backend_ ? std::string(backend_->name()) : std::string();
}

Status ResidentModel::StopStatus() const {
  std::lock_guard lock(mu_);
  return stop_reason_;
}

Status ResidentModel::Submit(std::shared_ptr<Job> job) {
  int32_t position = 0;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return stop_reason_;
    if (damaged_) return files_->CheckIntact();
    SlotState* best = nullptr;
    int32_t best_prefix = -1;
    for (auto& slot : slots_) {
      if (slot->busy) continue;
      const int32_t prefix = CommonPrefix(slot->slot.processed, job->request.prompt);
      if (prefix > best_prefix) best = slot.get(), best_prefix = prefix;
    }
    if (best != nullptr) {
      best->pending = std::move(job);
      best->busy = true;
      ++running_;
      cv_.notify_all();
      return Status::Ok();
    }
    if (static_cast<int32_t>(queue_.size()) >= max_queue_) {
      return Busy("model " + spec_.name + " is busy: " + std::to_string(running_) + " running, " +
                  std::to_string(queue_.size()) + " queued; retry later");
    }
    queue_.push_back(job);
    position = static_cast<int32_t>(queue_.size());
  }
  if (job->on_queued) job->on_queued(position);
  return Status::Ok();
}

std::shared_ptr<Job> ResidentModel::NextQueued(std::vector<std::shared_ptr<Job>>& cancelled) {
  while (!queue_.empty()) {
    std::shared_ptr<Job> job = std::move(queue_.front());
    queue_.pop_front();
    if (!Cancelled(*job)) return job;
    cancelled.push_back(std::move(job));
  }
  return nullptr;
}

void ResidentModel::SweepCancelledQueue() {
  std::vector<std::shared_ptr<Job>> cancelled;
  {
    std::lock_guard lock(mu_);
    const auto keep = std::stable_partition(queue_.begin(), queue_.end(),
                                            [](const auto& job) { return !Cancelled(*job); });
    cancelled.assign(std::make_move_iterator(keep), std::make_move_iterator(queue_.end()));
    queue_.erase(keep, queue_.end());
  }
  for (const auto& job : cancelled) job->on_done(ClientCancelled());
}

void ResidentModel::SlotLoop(SlotState& state) {
  while (true) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return state.pending != nullptr || stopping_; });
      if (state.pending == nullptr) return;
      job = std::move(state.pending);
    }
    Result<JobResult> result = Internal("generation did not run");
    try {
      result = RunJob(state, *job);
    } catch (const std::exception& e) {
      result = Internal(std::string("generation failed: ") + e.what());
    } catch (...) {
      result = Internal("generation failed with an unknown exception");
    }
    // The slot is free (or has its next request) before the answer goes out, so a client
    // that sends its next request on receiving this answer finds it free.
    std::vector<std::shared_ptr<Job>> cancelled;
    bool idle = false;
    {
      std::lock_guard lock(mu_);
      ++requests_served_;
      last_used_ = Clock::now();
      state.pending = stopping_ ? nullptr : NextQueued(cancelled);
      state.busy = state.pending != nullptr;
      if (!state.busy) --running_;
      idle = IdleLocked();
    }
    job->on_done(std::move(result));
    for (const auto& c : cancelled) c->on_done(ClientCancelled());
    if (idle && on_idle_) on_idle_();
  }
}

Result<JobResult> ResidentModel::RunJob(SlotState& state, Job& job) {
  const auto started = Clock::now();
  if (Cancelled(job)) return ClientCancelled();
  if (stopping_) return StopStatus();
  if (!job.embed_inputs.empty()) {
    HFD_ASSIGN_OR_RETURN(std::vector<std::vector<float>> vectors,
                         RunEmbedding(state.slot, job.embed_inputs, job.normalize));
    if (Status intact = files_->CheckIntact(); !intact.ok()) {
      damaged_ = true;
      return intact;
    }
    JobResult result;
    result.queue_ms = MsBetween(job.arrived, started);
    result.total_ms = result.ttft_ms = MsBetween(job.arrived, Clock::now());
    result.embeddings = std::move(vectors);
    return result;
  }
  std::optional<Clock::time_point> first_token;
  const runtime::TextSink sink = [&](std::string_view text, int32_t token,
                                     const runtime::TokenLogprobs* logprobs) {
    if (!first_token) first_token = Clock::now();
    if (job.on_token) job.on_token(text, token, logprobs);
    SweepCancelledQueue();
    return !Cancelled(job) && !stopping_;
  };
  // A feed waiting for the shared batch (KV blocks, a step) ends on a cancel at once.
  runtime::TokenSession& session = *state.slot.session;
  session.SetCancelCheck([&] { return Cancelled(job) || stopping_; });
  Result<SlotRun> generated = RunGeneration(state.slot, *text_->tokenizer, job.request, sink);
  session.SetCancelCheck(nullptr);
  if (!generated.ok() && generated.status().code() == ErrorCode::kCancelled) {
    return Cancelled(job) ? ClientCancelled() : StopStatus();
  }
  HFD_ASSIGN_OR_RETURN(SlotRun run, std::move(generated));
  // A weight file truncated under the mapping read as zeros: the text is nonsense.
  if (Status intact = files_->CheckIntact(); !intact.ok()) {
    damaged_ = true;
    return intact;
  }
  if (run.result.cancelled) return Cancelled(job) ? ClientCancelled() : StopStatus();
  const auto now = Clock::now();
  JobResult result;
  result.queue_ms = MsBetween(job.arrived, started);
  result.ttft_ms = MsBetween(job.arrived, first_token.value_or(now));
  result.total_ms = MsBetween(job.arrived, now);
  result.run = std::move(run);
  return result;
}

int ResidentModel::Stop(const Status& reason) {
  std::deque<std::shared_ptr<Job>> queued;
  int ended = 0;
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      stop_reason_ = reason;
      stopping_ = true;
      queued.swap(queue_);
      ended = running_ + static_cast<int>(queued.size());
      cv_.notify_all();
    }
    if (joined_) return ended;
    joined_ = true;
  }
  for (const auto& job : queued) job->on_done(reason);
  for (auto& slot : slots_) {
    if (slot->thread.joinable()) slot->thread.join();
  }
  // A job handed to a slot that stopped before starting it.
  for (auto& slot : slots_) {
    if (slot->pending) std::exchange(slot->pending, nullptr)->on_done(reason);
  }
  return ended;
}

int64_t ResidentModel::kv_bytes() const {
  return kv_pool_positions_ > 0 ? kv_pool_positions_ * estimate_.kv_bytes_per_position
                                : estimate_.kv_bytes_per_slot * spec_.max_concurrency;
}

bool ResidentModel::IdleLocked() const { return running_ == 0 && queue_.empty(); }

bool ResidentModel::Idle() const {
  std::lock_guard lock(mu_);
  return IdleLocked();
}

std::optional<Clock::time_point> ResidentModel::ExpiresAt() const {
  std::lock_guard lock(mu_);
  if (!IdleLocked() || keep_alive_seconds_ < 0) return std::nullopt;
  return last_used_ + std::chrono::duration_cast<Clock::duration>(
                          std::chrono::duration<double>(keep_alive_seconds_));
}

Clock::time_point ResidentModel::last_used() const {
  std::lock_guard lock(mu_);
  return last_used_;
}

void ResidentModel::SetKeepAlive(double seconds) {
  std::lock_guard lock(mu_);
  keep_alive_seconds_ = seconds;
  last_used_ = Clock::now();
}

void ResidentModel::SetMaxQueue(int32_t max_queue) {
  std::lock_guard lock(mu_);
  max_queue_ = max_queue;
}

ResidentInfo ResidentModel::Info() const {
  ResidentInfo info;
  info.name = spec_.name;
  info.path = spec_.source.display;
  info.revision = spec_.source.revision;
  info.file = spec_.source.gguf;
  info.quant = spec_.source.quant;
  info.commit = spec_.source.commit;
  info.architecture = std::string(model::ArchitectureName(files_->desc().arch));
  info.expert_count = files_->desc().n_expert;
  info.expert_used_count = files_->desc().n_expert_used;
  info.resident_weights_bytes = ResidentWeightBytes(*files_);
  info.backend = backend_name();
  info.device = backend_ ? backend_->device_description() : std::string();
  info.backend_reason = backend_reason_;
  info.ctx = ctx_;
  info.max_concurrency = spec_.max_concurrency;
  info.weights_bytes = estimate_.weights_bytes;
  info.kv_cache_bytes = kv_bytes();
  info.memory_bytes = memory_bytes();
  info.loaded_at = loaded_at_;
  info.load_seconds = load_seconds_;
  if (shared_) {
    AddBatchStats(shared_->stats(), info);
    info.prefix_cache = spec_.prefix_cache;
    info.kv_pool_reason = kv_pool_reason_;
  }
  const std::optional<Clock::time_point> expires = ExpiresAt();
  std::lock_guard lock(mu_);
  info.max_queue = max_queue_;
  info.running = running_;
  info.queued = static_cast<int32_t>(queue_.size());
  info.keep_alive_seconds = keep_alive_seconds_;
  info.requests_served = requests_served_;
  const auto now = Clock::now();
  info.idle_seconds = IdleLocked() ? std::chrono::duration<double>(now - last_used_).count() : 0;
  if (expires) {
    info.expires_in_seconds = std::max(0.0, std::chrono::duration<double>(*expires - now).count());
  }
  return info;
}

}  // namespace hfd::serve
