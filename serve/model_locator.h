// Finds a model's files for serving: an absolute local path, or a Hub id in the cache,
// pulled first when it is not cached and pulling is allowed (and the Hub is online).
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "hfd/status.h"
#include "hub/progress.h"
#include "hub/puller.h"

namespace hfd::serve {

struct LocatedModel {
  std::filesystem::path source;  // canonical .gguf file or model directory
  std::string revision, commit;  // empty for a local path
  bool pulled = false;           // this call downloaded it
};

// Thread-safe (immutable).
class ModelLocator {
 public:
  // `puller` may be null (the Hub settings could not be read): Hub ids then resolve from
  // `hub_cache_dir` only.
  ModelLocator(std::filesystem::path hub_cache_dir, std::shared_ptr<const hub::Puller> puller);

  // Without the network.
  Result<LocatedModel> LocateCached(const std::string& model) const;

  // As LocateCached, but a Hub id that is not cached is pulled (on_pulling first, then
  // `progress`) unless `allow_pull` is false or the Hub is offline.
  Result<LocatedModel> Locate(const std::string& model, bool allow_pull,
                              const std::function<void()>& on_pulling,
                              const hub::ProgressFn& progress,
                              const std::atomic<bool>* cancel) const;

 private:
  std::filesystem::path hub_cache_dir_;
  std::shared_ptr<const hub::Puller> puller_;
};

}  // namespace hfd::serve
