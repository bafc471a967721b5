// One repo's folder in the huggingface_hub cache layout:
//   {cache}/models--{org}--{name}/blobs/{etag}            file contents, named by ETag
//   {cache}/models--{org}--{name}/snapshots/{commit}/{path}  relative symlinks into blobs
//   {cache}/models--{org}--{name}/refs/{revision}         the commit a branch or tag points at
//   {cache}/.locks/models--{org}--{name}/{etag}.lock      flock()ed while a blob is written
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hfd/status.h"

namespace hfd::hub {

// Paths and small atomic updates inside one repo folder. Holds no open resources; methods
// may be called from several threads and processes (updates are atomic renames).
class RepoCache {
 public:
  RepoCache(std::filesystem::path cache_dir, const std::string& repo_id);

  // "models--org--name".
  static std::string FolderName(const std::string& repo_id);
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

  // Creates blobs/, snapshots/, refs/ and the lock folder.
  Status EnsureDirs() const;

  // The commit recorded for a branch or tag; nullopt when none is.
  Result<std::optional<std::string>> ReadRef(const std::string& revision) const;
  // Records `commit` for `revision` (atomic replace).
  Status WriteRef(const std::string& revision, const std::string& commit) const;

  // True when snapshots/{commit}/{path} exists and resolves to a regular file.
  bool HasSnapshotFile(const std::string& commit, const std::string& path) const;
  // Points snapshots/{commit}/{path} at blobs/{etag} with a relative symlink (atomic
  // replace). `path` must have passed ValidateRepoFilePath.
  Status LinkSnapshotFile(const std::string& commit, const std::string& path,
                          const std::string& etag) const;
  // Repo-relative paths of the regular files in a snapshot, sorted.
  std::vector<std::string> ListSnapshotFiles(const std::string& commit) const;

 private:
  std::filesystem::path cache_dir_;
  std::string folder_;
  std::filesystem::path repo_dir_;
};

// An ETag is used as a file name: only letters, digits, '-' and '_' (at most 128).
Status ValidateEtag(const std::string& etag);

// Writes `content` to `path` through a temporary file in the same folder and rename(2).
Status WriteFileAtomic(const std::filesystem::path& path, const std::string& content);

}  // namespace hfd::hub
