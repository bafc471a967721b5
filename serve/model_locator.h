// Finds a model's files for serving: an absolute local path, or a Hub id in the cache.
// Pulling what is not cached is the serving core's decision (serve/service.h).
#pragma once

#include <filesystem>
#include <string>

#include "hfd/status.h"

namespace hfd::serve {

struct LocatedModel {
  std::filesystem::path source;  // canonical .gguf file or model directory
  std::string revision, commit;  // empty for a local path
  bool pulled = false;           // this call downloaded it
};

// Thread-safe (immutable).
class ModelLocator {
 public:
  // `hub_cache_dir` may be empty (the Hub settings could not be read): Hub ids are then
  // not found.
  explicit ModelLocator(std::filesystem::path hub_cache_dir);

  // Without the network.
  Result<LocatedModel> LocateCached(const std::string& model) const;

 private:
  std::filesystem::path hub_cache_dir_;
};

}  // namespace hfd::serve
