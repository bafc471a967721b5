#include "engine/runtime/executable_cache.h"

namespace hfd::runtime {

ExecutableCache::ExecutableCache(Backend& backend, const model::ModelFiles& files, KvCache& cache,
                                 int64_t n_ctx, bool multi_sequence)
    : backend_(backend),
      files_(files),
      cache_(cache),
      n_ctx_(n_ctx),
      multi_sequence_(multi_sequence) {}

Result<Executable*> ExecutableCache::For(int32_t max_tokens, GraphOutput output) {
  for (Compiled& c : compiled_) {
    if (c.max_tokens == max_tokens && c.output == output) return c.exe.get();
  }
  HFD_ASSIGN_OR_RETURN(Graph graph, BuildGraph(files_, {.max_tokens = max_tokens,
                                                        .output = output,
                                                        .n_ctx = n_ctx_,
                                                        .multi_sequence = multi_sequence_}));
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<Executable> exe, backend_.Compile(graph, cache_));
  compiled_.push_back({max_tokens, output, std::move(exe)});
  return compiled_.back().exe.get();
}

}  // namespace hfd::runtime
