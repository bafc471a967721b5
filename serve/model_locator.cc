#include "serve/model_locator.h"

#include "hub/model_ref.h"
#include "serve/model_source.h"

namespace hfd::serve {
namespace fs = std::filesystem;
namespace {

// The commit of a Hub cache path: the component after `snapshots`.
std::string SnapshotCommit(const fs::path& source) {
  for (auto it = source.begin(); it != source.end(); ++it) {
    if (*it == "snapshots" && std::next(it) != source.end()) return std::next(it)->string();
  }
  return "";
}

}  // namespace

ModelLocator::ModelLocator(fs::path hub_cache_dir, std::shared_ptr<const hub::Puller> puller)
    : hub_cache_dir_(std::move(hub_cache_dir)), puller_(std::move(puller)) {}

Result<LocatedModel> ModelLocator::LocateCached(const std::string& model) const {
  LocatedModel out;
  HFD_ASSIGN_OR_RETURN(out.source, ResolveModelSource(model, hub_cache_dir_));
  if (!model.empty() && model.front() != '/') {
    HFD_ASSIGN_OR_RETURN(hub::ModelRef ref, hub::ParseModelRef(model));
    out.revision = ref.revision;
    out.commit = SnapshotCommit(out.source);
  }
  return out;
}

Result<LocatedModel> ModelLocator::Locate(const std::string& model, bool allow_pull,
                                          const std::function<void()>& on_pulling,
                                          const hub::ProgressFn& progress,
                                          const std::atomic<bool>* cancel) const {
  Result<LocatedModel> cached = LocateCached(model);
  if (cached.ok() || cached.status().code() != ErrorCode::kNotFound || model.front() == '/') {
    return cached;
  }
  HFD_ASSIGN_OR_RETURN(hub::ModelRef ref, hub::ParseModelRef(model));
  const std::string hint = "; run `hfctl pull " + ref.ToString() + "` first";
  if (puller_ == nullptr) {
    return NotFound(ref.ToString() + " is not cached and the Hub settings could not be read" +
                    hint);
  }
  if (puller_->config().offline) {
    return NotFound(ref.ToString() + " is not in the Hub cache and the daemon is offline " +
                    "(HF_HUB_OFFLINE)" + hint);
  }
  if (!allow_pull) {
    return NotFound(ref.ToString() + " is not in the Hub cache and pull is false" + hint);
  }
  if (on_pulling) on_pulling();
  HFD_RETURN_IF_ERROR(puller_->Pull(ref, {}, progress, cancel).status());
  HFD_ASSIGN_OR_RETURN(LocatedModel located, LocateCached(model));
  located.pulled = true;
  return located;
}

}  // namespace hfd::serve
