#include "hub/cache_admin.h"

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>

#include "hub/repo_cache.h"

namespace hfd::hub {
namespace fs = std::filesystem;
namespace {

int64_t LastUse(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return std::max<int64_t>(st.st_atim.tv_sec, st.st_mtim.tv_sec);
}

// Maps each ref name under refs/ to its commit.
std::map<std::string, std::string> ReadRefs(const RepoCache& cache) {
  std::map<std::string, std::string> refs;
  const fs::path root = cache.repo_dir() / "refs";
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const std::string name = it->path().lexically_relative(root).generic_string();
    auto commit = cache.ReadRef(name);
    if (commit.ok() && *commit) refs[name] = **commit;
  }
  return refs;
}

// Blob file names that snapshots/{commit} links to.
std::set<std::string> BlobsOf(const RepoCache& cache, const std::string& commit) {
  std::set<std::string> blobs;
  const fs::path root = cache.snapshot_dir(commit);
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code link_ec;
    if (!it->is_symlink(link_ec)) continue;
    const fs::path target = fs::read_symlink(it->path(), link_ec);
    if (!link_ec && target.parent_path().filename() == "blobs") blobs.insert(target.filename());
  }
  return blobs;
}

std::vector<std::string> SnapshotCommits(const RepoCache& cache) {
  std::vector<std::string> commits;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(cache.repo_dir() / "snapshots", ec)) {
    if (entry.is_directory()) commits.push_back(entry.path().filename());
  }
  return commits;
}

CachedModel DescribeRepo(const fs::path& cache_dir, const std::string& repo_id) {
  const RepoCache cache(cache_dir, repo_id);
  CachedModel model{repo_id, cache.repo_dir(), 0, 0, {}};
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(cache.blobs_dir(), ec)) {
    if (entry.is_regular_file() && entry.path().extension() != ".incomplete") {
      model.size_on_disk += entry.file_size();
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
      const fs::path path = cache.snapshot_dir(commit) / file;
      rev.size += fs::file_size(path, ec);
      rev.last_used = std::max(rev.last_used, LastUse(path));
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
  std::error_code ec;
  if (!fs::is_directory(cache.snapshot_dir(commit), ec)) {
    return NotFound("snapshot " + commit + " of '" + ref.repo_id + "' is not in the cache");
  }
  std::set<std::string> unused = BlobsOf(cache, commit);
  for (const std::string& other : SnapshotCommits(cache)) {
    if (other == commit) continue;
    for (const std::string& blob : BlobsOf(cache, other)) unused.erase(blob);
  }
  fs::remove_all(cache.snapshot_dir(commit), ec);
  if (ec) return ErrnoError("cannot remove " + cache.snapshot_dir(commit).string(), ec.value());
  for (const std::string& blob : unused) fs::remove(cache.blob_path(blob), ec);
  for (const auto& [name, target] : ReadRefs(cache)) {
    if (target == commit) fs::remove(cache.ref_path(name), ec);
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
    if (repo_id && entry.is_directory()) models.push_back(DescribeRepo(cache_dir, *repo_id));
  }
  std::sort(models.begin(), models.end(),
            [](const CachedModel& a, const CachedModel& b) { return a.repo_id < b.repo_id; });
  return models;
}

Status RemoveFromCache(const fs::path& cache_dir, const ModelRef& ref) {
  HFD_RETURN_IF_ERROR(ValidateRepoId(ref.repo_id));
  const RepoCache cache(cache_dir, ref.repo_id);
  std::error_code ec;
  if (!fs::is_directory(cache.repo_dir(), ec)) {
    return NotFound("'" + ref.repo_id + "' is not in the cache " + cache_dir.string());
  }
  if (ref.revision_given) return RemoveRevision(cache, ref);
  fs::remove_all(cache.repo_dir(), ec);
  if (ec) return ErrnoError("cannot remove " + cache.repo_dir().string(), ec.value());
  fs::remove_all(cache.lock_path("x").parent_path(), ec);
  return Status::Ok();
}

}  // namespace hfd::hub
