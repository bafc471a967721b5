#include "hub/cache_admin.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <map>
#include <set>

#include "hub/repo_cache.h"

namespace hfd::hub {
namespace fs = std::filesystem;
namespace {

int64_t LastUse(const struct stat& st) {
  return std::max<int64_t>(st.st_atim.tv_sec, st.st_mtim.tv_sec);
}

// Maps each ref name under refs/ to its commit.
std::map<std::string, std::string> ReadRefs(const RepoCache& cache) {
  std::map<std::string, std::string> refs;
  Result<SafeDir> root = cache.OpenFolder("refs", false);
  if (!root.ok()) return refs;
  for (const std::string& name : root->ListEntries()) {
    auto commit = cache.ReadRef(name);
    if (commit.ok() && *commit) refs[name] = **commit;
  }
  return refs;
}

// Blob file names that snapshots/{commit} links to.
std::set<std::string> BlobsOf(const RepoCache& cache, const std::string& commit) {
  std::set<std::string> blobs;
  Result<SafeDir> snapshot = cache.OpenFolder("snapshots/" + commit, false);
  if (!snapshot.ok()) return blobs;
  for (const std::string& entry : snapshot->ListEntries()) {
    char target[PATH_MAX];
    const ssize_t n = ::readlinkat(snapshot->fd(), entry.c_str(), target, sizeof(target));
    if (n <= 0 || static_cast<size_t>(n) == sizeof(target)) continue;
    const fs::path link(std::string(target, static_cast<size_t>(n)));
    if (link.parent_path().filename() == "blobs") blobs.insert(link.filename());
  }
  return blobs;
}

std::vector<std::string> SnapshotCommits(const RepoCache& cache) {
  std::vector<std::string> commits;
  Result<SafeDir> snapshots = cache.OpenFolder("snapshots", false);
  if (!snapshots.ok()) return commits;
  for (const std::string& name : snapshots->List()) {
    const std::optional<struct stat> st = snapshots->Lstat(name);
    if (st && S_ISDIR(st->st_mode)) commits.push_back(name);
  }
  return commits;
}

CachedModel DescribeRepo(const fs::path& cache_dir, const std::string& repo_id) {
  const RepoCache cache(cache_dir, repo_id);
  CachedModel model{repo_id, cache.repo_dir(), 0, 0, {}};
  if (Result<SafeDir> blobs = cache.OpenFolder("blobs", false); blobs.ok()) {
    for (const std::string& name : blobs->List()) {
      const std::optional<struct stat> st = blobs->Lstat(name);
      if (st && S_ISREG(st->st_mode) && !name.ends_with(".incomplete")) {
        model.size_on_disk += static_cast<uint64_t>(st->st_size);
      }
    }
  }
  const auto refs = ReadRefs(cache);
  for (const std::string& commit : SnapshotCommits(cache)) {
    CachedRevision rev;
    rev.commit = commit;
    for (const auto& [name, target] : refs) {
      if (target == commit) rev.refs.push_back(name);
    }
    for (const std::string& file : cache.ListSnapshotFiles(commit)) {
      const std::optional<struct stat> st = cache.StatSnapshotFile(commit, file);
      if (!st) continue;
      rev.size += static_cast<uint64_t>(st->st_size);
      rev.last_used = std::max(rev.last_used, LastUse(*st));
      ++rev.files;
    }
    model.last_used = std::max(model.last_used, rev.last_used);
    model.revisions.push_back(std::move(rev));
  }
  std::sort(
      model.revisions.begin(), model.revisions.end(),
      [](const CachedRevision& a, const CachedRevision& b) { return a.last_used > b.last_used; });
  return model;
}

Status RemoveRevision(const RepoCache& cache, const ModelRef& ref) {
  std::string commit = ref.revision;
  if (!IsCommitSha(commit)) {
    HFD_ASSIGN_OR_RETURN(std::optional<std::string> cached, cache.ReadRef(ref.revision));
    if (!cached) return NotFound("'" + ref.ToString() + "' is not in the cache");
    commit = *cached;
  }
  HFD_ASSIGN_OR_RETURN(SafeDir snapshots, cache.OpenFolder("snapshots", false));
  const std::optional<struct stat> snapshot = snapshots.Lstat(commit);
  if (!snapshot || !S_ISDIR(snapshot->st_mode)) {
    return NotFound("snapshot " + commit + " of '" + ref.repo_id + "' is not in the cache");
  }
  std::set<std::string> unused = BlobsOf(cache, commit);
  for (const std::string& other : SnapshotCommits(cache)) {
    if (other == commit) continue;
    for (const std::string& blob : BlobsOf(cache, other)) unused.erase(blob);
  }
  HFD_RETURN_IF_ERROR(snapshots.RemoveTree(commit));
  HFD_ASSIGN_OR_RETURN(SafeDir blobs, cache.OpenFolder("blobs", false));
  for (const std::string& blob : unused) HFD_RETURN_IF_ERROR(blobs.Remove(blob));
  for (const auto& [name, target] : ReadRefs(cache)) {
    if (target == commit) HFD_RETURN_IF_ERROR(cache.RemoveRef(name));
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<CachedModel>> ListCache(const fs::path& cache_dir) {
  std::vector<CachedModel> models;
  std::error_code ec;
  if (!fs::exists(cache_dir, ec)) return models;
  fs::directory_iterator it(cache_dir, ec);
  if (ec) return ErrnoError("cannot list the cache " + cache_dir.string(), ec.value());
  for (const auto& entry : it) {
    const auto repo_id = RepoCache::RepoIdFromFolder(entry.path().filename());
    if (repo_id && entry.is_directory() && !entry.is_symlink())
      models.push_back(DescribeRepo(cache_dir, *repo_id));
  }
  std::sort(models.begin(), models.end(),
            [](const CachedModel& a, const CachedModel& b) { return a.repo_id < b.repo_id; });
  return models;
}

Status RemoveFromCache(const fs::path& cache_dir, const ModelRef& ref) {
  HFD_RETURN_IF_ERROR(ValidateRepoId(ref.repo_id));
  const RepoCache cache(cache_dir, ref.repo_id);
  // Removal never follows a symlink, but one planted here deserves the admin's attention.
  HFD_RETURN_IF_ERROR(cache.CheckDirs());
  Result<SafeDir> repo = cache.OpenFolder("", false);
  if (repo.status().code() == ErrorCode::kNotFound) {
    return NotFound("'" + ref.repo_id + "' is not in the cache " + cache_dir.string());
  }
  if (!repo.ok()) return repo.status();
  if (ref.revision_given) return RemoveRevision(cache, ref);
  HFD_ASSIGN_OR_RETURN(SafeDir root, SafeDir::Open(cache_dir, false));
  const std::string folder = cache.repo_dir().filename();
  HFD_RETURN_IF_ERROR(root.RemoveTree(folder));
  Result<SafeDir> locks = root.OpenDir(".locks", false);
  if (locks.ok()) return locks->RemoveTree(folder);
  return locks.status().code() == ErrorCode::kNotFound ? Status::Ok() : locks.status();
}

}  // namespace hfd::hub
