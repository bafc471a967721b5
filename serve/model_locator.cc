#include "serve/model_locator.h"

#include "hub/model_ref.h"
#include "hub/repo_cache.h"

namespace hfd::serve {
namespace fs = std::filesystem;

ModelLocator::ModelLocator(fs::path hub_cache_dir, fs::path derived_dir)
    : hub_cache_dir_(std::move(hub_cache_dir)), derived_dir_(std::move(derived_dir)) {}

Result<LocatedModel> ModelLocator::LocateCached(const std::string& model) const {
  if (model.empty()) return InvalidArgument("param 'model' is empty");
  if (!hub::IsLocalPath(model)) return LocateHub(model);
  if (model.front() != '/') {
    return InvalidArgument("model path '" + model +
                           "' is relative; send an absolute path (hfctl makes paths absolute)");
  }
  LocatedModel out;
  HFD_ASSIGN_OR_RETURN(out.source, LocalModelSource(model, derived_dir_));
  return out;
}

Result<LocatedModel> ModelLocator::LocatePassed(
    const std::string& model, std::shared_ptr<const io::ModelFileSet> files) const {
  LocatedModel out;
  HFD_ASSIGN_OR_RETURN(out.source, PassedModelSource(model, std::move(files), derived_dir_));
  return out;
}

Result<LocatedModel> ModelLocator::LocateHub(const std::string& model) const {
  HFD_ASSIGN_OR_RETURN(hub::ModelRef ref, hub::ParseModelRef(model));
  const std::string pull_hint =
      "; run `hfctl pull " + ref.ToString() + "` first (these commands never download)";
  if (hub_cache_dir_.empty()) return NotFound("no Hub cache directory is configured" + pull_hint);
  const hub::RepoCache cache(hub_cache_dir_, ref.repo_id);
  std::string commit = ref.revision;
  if (!hub::IsCommitSha(commit)) {
    HFD_ASSIGN_OR_RETURN(std::optional<std::string> recorded, cache.ReadRef(ref.revision));
    if (!recorded) {
      return NotFound(ref.ToString() + " is not in the Hub cache " + hub_cache_dir_.string() +
                      pull_hint);
    }
    commit = *recorded;
  }
  Result<ModelSource> source = HubSnapshotSource(cache.repo_dir(), commit, ref.quant);
  if (!source.ok()) {
    if (source.status().code() != ErrorCode::kNotFound) return source.status();
    return NotFound("snapshot " + commit + " of " + ref.ToString() +
                    " is not in the Hub cache as a model (" + source.status().message() + ")" +
                    pull_hint);
  }
  LocatedModel out;
  out.source = std::move(source).value();
  out.source.repo_id = ref.repo_id;
  out.source.revision = ref.revision;
  out.source.commit = std::move(commit);
  return out;
}

}  // namespace hfd::serve
