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

ModelLocator::ModelLocator(fs::path hub_cache_dir) : hub_cache_dir_(std::move(hub_cache_dir)) {}

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

}  // namespace hfd::serve
