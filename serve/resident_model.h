// One loaded model: its files, tokenizer and chat template, the backend holding its
// weights, one slot (session + KV cache + thread) per allowed concurrent request, and a
// bounded FIFO queue of requests waiting for a slot.
//
// Threading: every public method is thread-safe. Requests run on the model's own slot
// threads; their callbacks are called from there (on_queued from the submitting thread).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backends/select/backend_select.h"
#include "engine/model/model_files.h"
#include "engine/runtime/shared_batch.h"
#include "serve/generation.h"
#include "serve/memory_estimate.h"
#include "serve/model_source.h"
#include "serve/model_text.h"

namespace hfd::serve {

struct JobResult {
  SlotRun run;
  std::vector<std::vector<float>> embeddings;  // an embed job's vectors
  double queue_ms = 0;                         // arrival to the start on a slot
  double ttft_ms = 0;                          // arrival to the first token
  double total_ms = 0;                         // arrival to the end
};

// One generate/chat or embed request. The callbacks must not block for long; on_done is called
// exactly once (Submit's caller gets an error instead when Submit fails).
struct Job {
  runtime::GenerateRequest request;
  // Set for an embed job (instead of `request`): the texts' tokens, embedded together.
  std::vector<std::vector<int32_t>> embed_inputs;
  bool normalize = true;
  const std::atomic<bool>* cancel = nullptr;  // the client's flag; may be null; outlives the job
  std::chrono::steady_clock::time_point arrived = std::chrono::steady_clock::now();
  std::function<void(int32_t position)> on_queued;  // 1 = next
  // Per generated token (its id), with the text that became final with it (often empty) and
  // its log-probabilities when the request asked for them (else null; valid for the call).
  std::function<void(std::string_view text, int32_t token, const runtime::TokenLogprobs* logprobs)>
      on_token;
  std::function<void(Result<JobResult> result)> on_done;
};

// What a model is loaded with. `ctx` is final (the manager chose it).
struct LoadSpec {
  std::string name;  // as the client named it
  ModelSource source;
  uid_t owner = 0;  // who loaded it
  backends::BackendRequest backend;
  int32_t ctx = 4096;
  std::optional<int32_t> asked_ctx;  // the ctx the load asked for, before any clamping
  int32_t max_concurrency = 1;
  int32_t max_queue = 8;
  double keep_alive_seconds = 300;
  int32_t prefill_batch = 128;
  // KV positions of the pool the slots share where they are batched (KvPoolPositions);
  // 0: max_concurrency × ctx.
  int64_t kv_pool_positions = 0;
  bool prefix_cache = true;  // the shared batch's prefix cache, where the slots are batched
};

// A snapshot for `ps`.
struct ResidentInfo {
  std::string name;
  std::filesystem::path path;
  std::string revision, commit, architecture, backend, device, backend_reason;
  std::string file, quant;  // the GGUF file served and its quant tag; "" for a checkpoint
  int32_t ctx = 0, max_concurrency = 0, max_queue = 0, running = 0, queued = 0;
  int64_t memory_bytes = 0, weights_bytes = 0, kv_cache_bytes = 0;
  int64_t expert_count = 0, expert_used_count = 0;  // mixture of experts; 0 for dense models
  int64_t resident_weights_bytes = 0;  // of the mapped weights, in memory now (mincore)
  double keep_alive_seconds = 0, idle_seconds = 0;
  std::optional<double> expires_in_seconds;  // none while busy or for keep_alive < 0
  uint64_t requests_served = 0;
  std::chrono::system_clock::time_point loaded_at;
  double load_seconds = 0;
  // The shared batch's KV pool in blocks (all 0 without continuous batching): held by
  // requests' sequences, cached for the prefix cache only, in all; and the prefix cache's
  // lookups, hits and prompt tokens it saved computing, since the load.
  int32_t kv_blocks_used = 0, kv_blocks_cached = 0, kv_blocks_total = 0;
  int64_t prefix_lookups = 0, prefix_hits = 0, prefix_tokens_saved = 0;
  bool prefix_cache = false;   // the shared batch shares cached prefixes (models.prefix_cache)
  std::string kv_pool_reason;  // why the pool is smaller than the load planned; "" if it is not
};

class ResidentModel {
 public:
  // Loads weights on the chosen backend and starts the slot threads. `on_idle` is called
  // (from a slot thread, no lock held) each time the model has nothing left to do.
  static Result<std::unique_ptr<ResidentModel>> Load(const LoadSpec& spec,
                                                     std::unique_ptr<model::ModelFiles> files,
                                                     std::shared_ptr<const ModelText> text,
                                                     std::function<void()> on_idle);

  // Stops (Unavailable "model unloaded") and joins the slot threads.
  ~ResidentModel();
  ResidentModel(const ResidentModel&) = delete;
  ResidentModel& operator=(const ResidentModel&) = delete;

  // Starts `job` on a free slot, else queues it; Busy when the queue is full, the stop
  // reason once the model is stopping. Never blocks on generation.
  Status Submit(std::shared_ptr<Job> job);

  // Ends running requests (within one token) and queued ones with `reason`, then joins
  // the slot threads. Returns how many requests it ended. Not from a slot thread.
  int Stop(const Status& reason);

  // True once Stop began.
  bool stopping() const { return stopping_; }
  // True once a request found a weight file truncated under the model (see
  // io::MappingGuard): it takes no more requests and the manager unloads it.
  bool damaged() const { return damaged_; }
  // Idle: nothing running or queued.
  bool Idle() const;
  // When an idle model's keep_alive runs out; nullopt while busy or for keep_alive < 0.
  std::optional<std::chrono::steady_clock::time_point> ExpiresAt() const;
  std::chrono::steady_clock::time_point last_used() const;
  void SetKeepAlive(double seconds);
  void SetMaxQueue(int32_t max_queue);

  ResidentInfo Info() const;
  const LoadSpec& spec() const { return spec_; }
  const ModelText& text() const { return *text_; }
  const model::ModelDesc& desc() const { return files_->desc(); }
  int32_t ctx() const { return ctx_; }
  int64_t memory_bytes() const { return estimate_.with_kv(spec_.max_concurrency, kv_bytes()); }
  int64_t weights_bytes() const { return estimate_.weights_bytes; }
  std::string backend_name() const;

 private:
  struct SlotState {
    Slot slot;
    std::shared_ptr<Job> pending;  // handed to this slot, not started yet
    bool busy = false;             // pending or running
    std::thread thread;
  };

  ResidentModel(LoadSpec spec, std::unique_ptr<model::ModelFiles> files,
                std::shared_ptr<const ModelText> text, std::function<void()> on_idle);
  Status Prepare(std::unique_ptr<runtime::Backend> backend);
  // The slots' sessions: sequences of one shared batch (continuous batching) where the
  // backend runs them, else a session with a KV cache of its own each.
  Status CreateSessions();
  // The shared batch's KV pool in blocks of `block` positions for sequences of `ctx`: what
  // the load planned, lowered to what a GPU's memory holds (kv_pool_reason_ says so);
  // OutOfMemory when it cannot hold one whole context.
  Result<int32_t> KvPoolBlocks(int32_t ctx, int32_t block);
  void Release();
  void SlotLoop(SlotState& state);
  Result<JobResult> RunJob(SlotState& state, Job& job);
  // Removes cancelled queued jobs and answers them.
  void SweepCancelledQueue();
  std::shared_ptr<Job> NextQueued(std::vector<std::shared_ptr<Job>>& cancelled);
  Status StopStatus() const;
  bool IdleLocked() const;
  // The KV caches' bytes: the shared pool's, else one cache per slot.
  int64_t kv_bytes() const;

  const LoadSpec spec_;
  const std::unique_ptr<model::ModelFiles> files_;
  const std::shared_ptr<const ModelText> text_;
  const std::function<void()> on_idle_;
  std::unique_ptr<runtime::Backend> backend_;     // after the slots' sessions in destruction
  std::unique_ptr<runtime::SharedBatch> shared_;  // after the slots' sessions, before backend_
  std::vector<std::unique_ptr<SlotState>> slots_;
  std::string backend_reason_;
  int32_t ctx_ = 0;
  int64_t kv_pool_positions_ = 0;  // of the shared batch's pool; 0 without one
  std::string kv_pool_reason_;     // ResidentInfo::kv_pool_reason
  MemoryEstimate estimate_;
  std::chrono::system_clock::time_point loaded_at_;
  double load_seconds_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Job>> queue_;           // guarded by mu_
  int32_t running_ = 0;                              // slots busy; guarded by mu_
  int32_t max_queue_;                                // guarded by mu_
  double keep_alive_seconds_;                        // guarded by mu_
  std::chrono::steady_clock::time_point last_used_;  // guarded by mu_
  uint64_t requests_served_ = 0;                     // guarded by mu_
  Status stop_reason_;                               // guarded by mu_
  std::atomic<bool> stopping_{false};
  std::atomic<bool> damaged_{false};
  bool joined_ = false;  // guarded by mu_
};

}  // namespace hfd::serve
