// Finds a model's files for serving: an absolute local path, a Hub id in the cache, or the
// files a client passed. Pulling what is not cached is the serving core's decision
// (serve/service.h).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "engine/io/model_file_set.h"
#include "hfd/status.h"
#include "serve/model_source.h"

namespace hfd::serve {

struct LocatedModel {
  ModelSource source;
  bool pulled = false;  // this call downloaded it
};

// Thread-safe (immutable).
class ModelLocator {
 public:
  // `hub_cache_dir` may be empty (the Hub settings could not be read): Hub ids are then
  // not found. `derived_dir` is the daemon's folder for local sources' derived weights
  // (DaemonDerivedStore); empty: none.
  explicit ModelLocator(std::filesystem::path hub_cache_dir,
                        std::filesystem::path derived_dir = {});

  // Without the network. A local path is opened with the daemon's rights: the caller
  // checks first that the requester may name one.
  Result<LocatedModel> LocateCached(const std::string& model) const;

  // The files a client passed for `model` (the name it gave them).
  Result<LocatedModel> LocatePassed(const std::string& model,
                                    std::shared_ptr<const io::ModelFileSet> files) const;

 private:
  Result<LocatedModel> LocateHub(const std::string& model) const;

  std::filesystem::path hub_cache_dir_;
  std::filesystem::path derived_dir_;
};

}  // namespace hfd::serve
