// A Backend shared by several sessions (one per slot of a model with max_concurrency > 1):
// every call takes one mutex, so the sessions' tokens run in turn on the one backend,
// each with its own KV cache and executables. This is enough because neither the CPU nor
// the Vulkan backend keeps per-call scratch shared between executables: outputs and
// activations live in each executable, and a RunOutput stays valid until that
// executable's next Run, which only its own session makes.
#pragma once

#include <memory>
#include <mutex>

#include "engine/runtime/backend.h"

namespace hfd::serve {

// Thread-safe. Owns the wrapped backend; objects it created must be destroyed first.
class LockedBackend final : public runtime::Backend {
 public:
  explicit LockedBackend(std::unique_ptr<runtime::Backend> inner) : inner_(std::move(inner)) {}

  std::string_view name() const override { return inner_->name(); }
  std::string device_description() const override;
  bool Supports(runtime::OpKind op, TensorType weight_type) const override;
  Status LoadWeights(const model::ModelFiles& files) override;
  Result<std::unique_ptr<runtime::KvCache>> AllocateKvCache(
      const runtime::KvCacheDesc& desc) override;
  Result<std::unique_ptr<runtime::Executable>> Compile(const runtime::Graph& graph,
                                                       runtime::KvCache& cache) override;
  Result<runtime::RunOutput> Run(runtime::Executable& exe,
                                 const runtime::RunParams& params) override;
  std::optional<int64_t> device_memory_left() const override;

 private:
  std::unique_ptr<runtime::Backend> inner_;
  mutable std::mutex mutex_;
};

}  // namespace hfd::serve
