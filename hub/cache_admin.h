// `ls` and `rm` of the Hub cache.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "hfd/status.h"
#include "hub/model_ref.h"

namespace hfd::hub {

struct CachedRevision {
  std::string commit;
  std::vector<std::string> refs;  // branches and tags pointing at this commit
  uint64_t size = 0;              // bytes of the snapshot's files
  size_t files = 0;
  int64_t last_used = 0;  // unix seconds: latest access or modification of its blobs
};

struct CachedModel {
  std::string repo_id;
  std::filesystem::path path;
  uint64_t size_on_disk = 0;  // distinct blobs (complete ones), shared files counted once
  int64_t last_used = 0;
  std::vector<CachedRevision> revisions;  // newest use first
};

// Every model repo in the cache (datasets and spaces are skipped), sorted by id.
// A missing cache directory is an empty list.
Result<std::vector<CachedModel>> ListCache(const std::filesystem::path& cache_dir);

// Removes `ref`'s revision (its snapshot, the refs naming it, and the blobs no other
// snapshot uses), or the whole repo (and its locks) when no revision was given.
// NotFound when nothing matches.
Status RemoveFromCache(const std::filesystem::path& cache_dir, const ModelRef& ref);

}  // namespace hfd::hub
