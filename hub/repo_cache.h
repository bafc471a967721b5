// One repo's folder in the huggingface_hub cache layout:
//   {cache}/models--{org}--{name}/blobs/{etag}            file contents, named by ETag
//   {cache}/models--{org}--{name}/snapshots/{commit}/{path}  relative symlinks into blobs
//   {cache}/models--{org}--{name}/refs/{revision}         the commit a branch or tag points at
//   {cache}/.locks/models--{org}--{name}/{etag}.lock      flock()ed while a blob is written
//   {cache}/models--{org}--{name}/.hfd-derived/{kind}-{hash}.bin  hfd's own: weights repacked
//       at load from the repo's files (model::DerivedStore); huggingface_hub reads only
//       snapshots/ and refs/ of a repo folder, and removing the repo removes them too
// The cache may be shared with other local users: every file is reached through SafeDir,
// so nothing beneath the cache folder is written or read through a symlink that leads
// elsewhere (snapshot links are followed only while they stay inside the repo folder).
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hfd/status.h"
#include "hub/safe_dir.h"

namespace hfd::hub {

// Paths and small atomic updates inside one repo folder. Holds no open resources (each
// method opens what it needs); methods may be called from several threads and processes
// (updates are atomic renames).
class RepoCache {
 public:
  RepoCache(std::filesystem::path cache_dir, const std::string& repo_id);

  // "models--org--name".
  static std::string FolderName(const std::string& repo_id);
  // The repo folder's subfolder for hfd's derived weights (model::DerivedStore).
  static constexpr char kDerivedFolder[] = ".hfd-derived";
  // Inverse of FolderName for model folders; nullopt for anything else.
  static std::optional<std::string> RepoIdFromFolder(const std::string& folder);

  const std::filesystem::path& cache_dir() const { return cache_dir_; }
  const std::filesystem::path& repo_dir() const { return repo_dir_; }
  std::filesystem::path blobs_dir() const { return repo_dir_ / "blobs"; }
  std::filesystem::path blob_path(const std::string& etag) const { return blobs_dir() / etag; }
  std::filesystem::path incomplete_path(const std::string& etag) const {
    return blobs_dir() / (etag + ".incomplete");
  }
  std::filesystem::path lock_path(const std::string& etag) const;
  std::filesystem::path snapshot_dir(const std::string& commit) const {
    return repo_dir_ / "snapshots" / commit;
  }
  std::filesystem::path ref_path(const std::string& revision) const {
    return repo_dir_ / "refs" / revision;
  }

  // Creates blobs/, snapshots/, refs/ and the lock folder. Refuses, naming it, any of them
  // (or the repo folder, or .locks/) that is a symlink or not a folder.
  Status EnsureDirs() const;
  // The same check for the folders that exist, creating nothing.
  Status CheckDirs() const;

  // Opens {repo}/{relative} ('/'-separated; empty for the repo folder itself), creating it
  // when `create`. No component beneath the cache folder may be a symlink.
  Result<SafeDir> OpenFolder(const std::string& relative, bool create) const;
  // Opens (creating) the repo's lock folder, {cache}/.locks/models--{org}--{name}.
  Result<SafeDir> OpenLocks() const;

  // The commit recorded for a branch or tag; nullopt when none is.
  Result<std::optional<std::string>> ReadRef(const std::string& revision) const;
  // Records `commit` for `revision` (atomic replace).
  Status WriteRef(const std::string& revision, const std::string& commit) const;
  // Removes refs/{revision}; absent is OK.
  Status RemoveRef(const std::string& revision) const;

  // What snapshots/{commit}/{path} resolves to when that is a regular file inside the repo
  // folder (symlinks followed only while they stay inside); nullopt otherwise.
  std::optional<struct stat> StatSnapshotFile(const std::string& commit,
                                              const std::string& path) const;
  // True when StatSnapshotFile finds a regular file.
  bool HasSnapshotFile(const std::string& commit, const std::string& path) const;
  // The content of snapshots/{commit}/{path}, resolved as StatSnapshotFile does, refused
  // when it is not a regular file or is over `max_bytes`.
  Result<std::string> ReadSnapshotFile(const std::string& commit, const std::string& path,
                                       size_t max_bytes) const;
  // Points snapshots/{commit}/{path} at blobs/{etag} with a relative symlink (atomic
  // replace). `path` must have passed ValidateRepoFilePath.
  Status LinkSnapshotFile(const std::string& commit, const std::string& path,
                          const std::string& etag) const;
  // Repo-relative paths of the snapshot's files that StatSnapshotFile finds, sorted.
  std::vector<std::string> ListSnapshotFiles(const std::string& commit) const;

 private:
  std::filesystem::path cache_dir_;
  std::string folder_;
  std::filesystem::path repo_dir_;
};

// An ETag is used as a file name: only letters, digits, '-' and '_' (at most 128).
Status ValidateEtag(const std::string& etag);

}  // namespace hfd::hub
