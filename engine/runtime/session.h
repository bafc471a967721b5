// A conversation's state on one backend: the KV cache, the compiled graphs, and the
// position. Prefill runs the prompt in batches through a max_tokens = prefill_batch graph;
// decode runs one token through a max_tokens = 1 graph compiled once and replayed.
// Graphs are compiled on first use and kept.
//
// Not thread-safe: one caller at a time. The backend (with weights loaded from `files`)
// and the files must outlive the session.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "engine/runtime/backend.h"
#include "engine/runtime/executable_cache.h"
#include "engine/runtime/token_session.h"
#include "engine/runtime/top_logits.h"

namespace hfd::model {
struct ModelDesc;
}

namespace hfd::runtime {

struct SessionOptions {
  int32_t n_ctx = 4096;         // KV cache positions; clamped to the model's training context
  int32_t prefill_batch = 128;  // tokens per prefill call
  KvType kv_type = KvType::kF16;
};

// The context a session of `n_ctx` positions gets: n_ctx, clamped to the model's training
// context.
int32_t ClampedContext(const model::ModelDesc& desc, int32_t n_ctx);

class Session final : public TokenSession {
 public:
  // Allocates the cache. InvalidArgument for non-positive sizes.
  static Result<std::unique_ptr<Session>> Create(Backend& backend, const model::ModelFiles& files,
                                                 const SessionOptions& options);
  ~Session() override;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // TokenSession.
  Result<std::span<const float>> Feed(std::span<const int32_t> tokens) override;
  // Without handing the logits back (the backend may keep them on its device).
  Result<int32_t> FeedGreedy(int32_t token) override;
  // The backend computes them where the logits are, so a device copies back only those.
  Result<TopLogits> FeedTopLogits(int32_t token) override;

  // Appends `tokens` and returns the logits after every one of them (rows × n_vocab), for
  // scoring and conformance.
  Result<std::vector<float>> FeedAll(std::span<const int32_t> tokens);

  // Embedding models: one pooled vector per text (model::Pooling of the model's
  // description), L2-normalized when `normalize`. Texts are packed into calls of up to
  // n_ctx tokens, several texts per call, each attending only to itself; the cache is
  // reused from position 0 (position() is 0 after). InvalidArgument for an empty text or
  // one longer than the context, Unsupported for a model with no pooling.
  Result<std::vector<std::vector<float>>> Embed(std::span<const std::vector<int32_t>> texts,
                                                bool normalize);

  Status Rewind(int32_t pos) override;

  int32_t position() const override { return pos_; }
  int32_t n_ctx() const override { return n_ctx_; }
  int64_t n_vocab() const { return n_vocab_; }
  int64_t kv_cache_bytes() const { return cache_->bytes(); }
  Backend& backend() { return backend_; }

 private:
  Session(Backend& backend, const model::ModelFiles& files, int32_t n_ctx, int32_t batch,
          int64_t n_vocab, std::unique_ptr<KvCache> cache);

  // Runs `tokens` in chunks of the graph's max_tokens; calls on_chunk(output, count) after each.
  template <typename OnChunk>
  Status RunChunks(Executable& exe, std::span<const int32_t> tokens, OnChunk&& on_chunk);

  Backend& backend_;
  const model::ModelFiles& files_;
  int32_t n_ctx_;
  int32_t batch_;
  int64_t n_vocab_;
  int32_t pos_ = 0;
  std::unique_ptr<KvCache> cache_;
  ExecutableCache executables_;  // after cache_: destroyed before the cache they are bound to
};

}  // namespace hfd::runtime
