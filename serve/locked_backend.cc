#include "serve/locked_backend.h"

namespace hfd::serve {

std::string LockedBackend::device_description() const {
  std::lock_guard lock(mutex_);
  return inner_->device_description();
}

bool LockedBackend::Supports(runtime::OpKind op, TensorType weight_type) const {
  std::lock_guard lock(mutex_);
  return inner_->Supports(op, weight_type);
}

Status LockedBackend::LoadWeights(const model::ModelFiles& files) {
  std::lock_guard lock(mutex_);
  return inner_->LoadWeights(files);
}

Result<std::unique_ptr<runtime::KvCache>> LockedBackend::AllocateKvCache(
    const runtime::KvCacheDesc& desc) {
  std::lock_guard lock(mutex_);
  return inner_->AllocateKvCache(desc);
}

Result<std::unique_ptr<runtime::Executable>> LockedBackend::Compile(const runtime::Graph& graph,
                                                                    runtime::KvCache& cache) {
  std::lock_guard lock(mutex_);
  return inner_->Compile(graph, cache);
}

Result<runtime::RunOutput> LockedBackend::Run(runtime::Executable& exe,
                                              const runtime::RunParams& params) {
  std::lock_guard lock(mutex_);
  return inner_->Run(exe, params);
}

std::optional<int64_t> LockedBackend::device_memory_left() const {
  std::lock_guard lock(mutex_);
  return inner_->device_memory_left();
}

}  // namespace hfd::serve
