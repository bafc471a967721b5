// The executables one conversation (Session) or one batch (SequenceBatch) compiled of a
// model against its KV cache: one per graph shape (how many tokens a call takes, what it
// outputs), built and compiled on first use and kept for every later call of that shape.
//
// Not thread-safe: used by its owner's one caller at a time. The backend (with the
// model's weights), the files and the cache outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/runtime/backend.h"
#include "engine/runtime/graph_builder.h"

namespace hfd::runtime {

class ExecutableCache {
 public:
  // Graphs of `files` for contexts of `n_ctx` positions, for calls over several sequences
  // when `multi_sequence` (GraphOptions), compiled by `backend` against `cache`.
  ExecutableCache(Backend& backend, const model::ModelFiles& files, KvCache& cache, int64_t n_ctx,
                  bool multi_sequence);

  // The executable for calls of at most `max_tokens` tokens with `output`; the builder's
  // or the backend's error when it cannot be built or compiled (nothing is kept then).
  Result<Executable*> For(int32_t max_tokens, GraphOutput output);

 private:
  struct Compiled {
    int32_t max_tokens;
    GraphOutput output;
    std::unique_ptr<Executable> exe;
  };

  Backend& backend_;
  const model::ModelFiles& files_;
  KvCache& cache_;
  const int64_t n_ctx_;
  const bool multi_sequence_;
  std::vector<Compiled> compiled_;
};

}  // namespace hfd::runtime
