// `ls` and `rm` of the Hub cache.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "hfd/status.h"
#include "hub/gguf_files.h"
#include "hub/model_ref.h"

namespace hfd::hub {

struct CachedRevision {
  std::string commit;
  std::vector<std::string> refs;  // branches and tags pointing at this commit
  uint64_t size = 0;              // bytes of the snapshot's files
  size_t files = 0;
  int64_t last_used = 0;          // unix seconds: latest access or modification of its blobs
  std::vector<GgufModel> quants;  // its complete GGUF models (one per quant of a GGUF repo)
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

// Names of cached models close to `wanted` (which is not cached), closest first, for a
// "did you mean": `org/name` and `org/name:QUANT` of every cached quant, within a few
// edits (case ignored). Empty when none is close or the cache cannot be read.
std::vector<std::string> CachedNamesNear(const std::filesystem::path& cache_dir,
                                         const ModelRef& wanted);

// What `rm` of a reference removes, worked out before anything is removed, so that the
// caller can first deal with what uses it (resident models).
struct RemovalPlan {
  struct Snapshot {
    std::string commit;
    std::vector<std::string> files;  // snapshot files removed (all of them when `whole`)
    bool whole = false;              // the snapshot folder goes, with the refs naming it
  };
  ModelRef ref;
  bool whole_repo = false;          // the repo folder goes, with its locks
  std::vector<Snapshot> snapshots;  // every snapshot touched
  std::vector<std::string> blobs;   // blobs no remaining snapshot file links to
  uint64_t freed_bytes = 0;         // their size

  // True when snapshot `commit` loses `file`, or when `file` is empty, loses everything.
  bool Removes(const std::string& commit, const std::string& file) const;
  // Snapshot files removed, all snapshots together.
  size_t file_count() const;
};

// Plans removing `ref` from the cache:
//  - `org/name`: the whole repo (and its locks);
//  - `org/name@rev`: that revision's snapshot, the refs naming it, and the blobs no other
//    snapshot uses;
//  - `org/name[@rev]:QUANT`: only the files of that quant (GgufNameHasQuant, split sets
//    whole) in every snapshot (or in `rev`'s), and the blobs no remaining file uses; a
//    snapshot left empty goes as a revision does.
// NotFound when nothing matches; for a quant, the message lists the cached quants.
Result<RemovalPlan> PlanRemoval(const std::filesystem::path& cache_dir, const ModelRef& ref);

// Carries out `plan` (from PlanRemoval on the same cache). Never follows a symlink.
Status ExecuteRemoval(const std::filesystem::path& cache_dir, const RemovalPlan& plan);

}  // namespace hfd::hub
