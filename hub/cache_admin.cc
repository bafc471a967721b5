#include "hub/cache_admin.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <map>
#include <set>

#include "common/edit_distance.h"
#include "hub/local_snapshot.h"
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

// The blob each file of snapshots/{commit} links to, by the file's path in the snapshot.
std::map<std::string, std::string> LinksOf(const RepoCache& cache, const std::string& commit) {
  std::map<std::string, std::string> links;
  Result<SafeDir> snapshot = cache.OpenFolder("snapshots/" + commit, false);
  if (!snapshot.ok()) return links;
  for (const std::string& entry : snapshot->ListEntries()) {
    char target[PATH_MAX];
    const ssize_t n = ::readlinkat(snapshot->fd(), entry.c_str(), target, sizeof(target));
    if (n <= 0 || static_cast<size_t>(n) == sizeof(target)) continue;
    const fs::path link(std::string(target, static_cast<size_t>(n)));
    if (link.parent_path().filename() == "blobs") links[entry] = link.filename();
  }
  return links;
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

// Bytes of the repo's blobs (regular files only), partial downloads too with `partial`.
uint64_t BlobBytes(const RepoCache& cache, bool partial) {
  uint64_t bytes = 0;
  Result<SafeDir> blobs = cache.OpenFolder("blobs", false);
  if (!blobs.ok()) return bytes;
  for (const std::string& name : blobs->List()) {
    const std::optional<struct stat> st = blobs->Lstat(name);
    if (st && S_ISREG(st->st_mode) && (partial || !name.ends_with(".incomplete"))) {
      bytes += static_cast<uint64_t>(st->st_size);
    }
  }
  return bytes;
}

CachedModel DescribeRepo(const fs::path& cache_dir, const std::string& repo_id) {
  const RepoCache cache(cache_dir, repo_id);
  CachedModel model{repo_id, cache.repo_dir(), BlobBytes(cache, false), 0, {}};
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
    if (Result<std::vector<GgufModel>> quants = GgufModels(ListSnapshot(cache, commit), true);
        quants.ok()) {
      rev.quants = std::move(quants).value();
    }
    model.last_used = std::max(model.last_used, rev.last_used);
    model.revisions.push_back(std::move(rev));
  }
  std::sort(
      model.revisions.begin(), model.revisions.end(),
      [](const CachedRevision& a, const CachedRevision& b) { return a.last_used > b.last_used; });
  return model;
}

// The commit `ref` names in the cache; NotFound when it is not there.
Result<std::string> CommitOf(const RepoCache& cache, const ModelRef& ref) {
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
  return commit;
}

// The quants cached in `commits`, for the message of a quant that matches nothing.
std::string CachedQuants(const RepoCache& cache, const std::vector<std::string>& commits) {
  std::vector<ListedFile> listing;
  for (const std::string& commit : commits) {
    for (ListedFile& f : ListSnapshot(cache, commit)) listing.push_back(std::move(f));
  }
  Result<std::vector<GgufModel>> models = GgufModels(listing, true);
  return models.ok() ? QuantList(*models) : "(none)";
}

// Fills plan.blobs and plan.freed_bytes: the blobs the removed files link to that no
// remaining file of any snapshot links to.
void PlanBlobs(const RepoCache& cache, const std::vector<std::string>& commits, RemovalPlan& plan) {
  std::set<std::string> removed;
  std::set<std::string> kept;
  for (const std::string& commit : commits) {
    for (const auto& [file, blob] : LinksOf(cache, commit)) {
      (plan.Removes(commit, file) ? removed : kept).insert(blob);
    }
  }
  Result<SafeDir> blobs = cache.OpenFolder("blobs", false);
  for (const std::string& blob : removed) {
    if (kept.count(blob) != 0) continue;
    plan.blobs.push_back(blob);
    const std::optional<struct stat> st =
        blobs.ok() ? blobs->Lstat(blob) : std::optional<struct stat>();
    if (st && S_ISREG(st->st_mode)) plan.freed_bytes += static_cast<uint64_t>(st->st_size);
  }
}

Status RemoveSnapshotFile(const RepoCache& cache, const std::string& commit,
                          const std::string& file) {
  const fs::path path(file);
  std::string folder = "snapshots/" + commit;
  if (path.has_parent_path()) folder += "/" + path.parent_path().string();
  HFD_ASSIGN_OR_RETURN(SafeDir dir, cache.OpenFolder(folder, false));
  return dir.Remove(path.filename());
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

bool RemovalPlan::Removes(const std::string& commit, const std::string& file) const {
  for (const Snapshot& s : snapshots) {
    if (s.commit != commit) continue;
    return s.whole || std::find(s.files.begin(), s.files.end(), file) != s.files.end();
  }
  return false;
}

size_t RemovalPlan::file_count() const {
  size_t n = 0;
  for (const Snapshot& s : snapshots) n += s.files.size();
  return n;
}

std::vector<std::string> CachedNamesNear(const fs::path& cache_dir, const ModelRef& wanted) {
  const std::string key = wanted.repo_id + (wanted.quant.empty() ? "" : ":" + wanted.quant);
  const size_t limit = std::max<size_t>(2, key.size() / 5);
  std::multimap<size_t, std::string> near;
  Result<std::vector<CachedModel>> cached = ListCache(cache_dir);
  if (!cached.ok()) return {};
  std::set<std::string> names;
  for (const CachedModel& model : *cached) {
    names.insert(model.repo_id);
    for (const CachedRevision& rev : model.revisions) {
      for (const GgufModel& q : rev.quants) {
        if (!q.quant.empty()) names.insert(model.repo_id + ":" + q.quant);
      }
    }
  }
  for (const std::string& name : names) {
    const size_t distance = EditDistance(key, name);
    if (name != key && distance <= limit) near.emplace(distance, name);
  }
  std::vector<std::string> out;
  for (const auto& [distance, name] : near) {
    if (out.size() == 3) break;
    out.push_back(name);
  }
  return out;
}

Result<RemovalPlan> PlanRemoval(const fs::path& cache_dir, const ModelRef& ref) {
  HFD_RETURN_IF_ERROR(ValidateRepoId(ref.repo_id));
  const RepoCache cache(cache_dir, ref.repo_id);
  // Removal never follows a symlink, but one planted here deserves the admin's attention.
  HFD_RETURN_IF_ERROR(cache.CheckDirs());
  Result<SafeDir> repo = cache.OpenFolder("", false);
  if (repo.status().code() == ErrorCode::kNotFound) {
    return NotFound("'" + ref.repo_id + "' is not in the cache " + cache_dir.string());
  }
  HFD_RETURN_IF_ERROR(repo.status());
  RemovalPlan plan;
  plan.ref = ref;
  const std::vector<std::string> all = SnapshotCommits(cache);
  std::vector<std::string> targets = all;
  if (ref.revision_given) {
    HFD_ASSIGN_OR_RETURN(std::string commit, CommitOf(cache, ref));
    targets = {commit};
  }
  for (const std::string& commit : targets) {
    RemovalPlan::Snapshot snapshot{commit, {}, false};
    const std::map<std::string, std::string> links = LinksOf(cache, commit);
    for (const auto& [file, blob] : links) {
      if (ref.quant.empty() || (IsGgufName(file) && GgufNameHasQuant(file, ref.quant))) {
        snapshot.files.push_back(file);
      }
    }
    if (!ref.quant.empty() && snapshot.files.empty()) continue;
    snapshot.whole = snapshot.files.size() == links.size();
    plan.snapshots.push_back(std::move(snapshot));
  }
  if (plan.snapshots.empty() && !ref.quant.empty()) {
    return NotFound("no cached file of '" + ref.ToString() + "' matches quant '" + ref.quant +
                    "'; cached quants: " + CachedQuants(cache, targets) + " (see `hfctl ls`)");
  }
  // Without a revision, a repo left with no snapshot goes whole, locks and partial files too.
  plan.whole_repo = !ref.revision_given && plan.snapshots.size() == all.size() &&
                    std::all_of(plan.snapshots.begin(), plan.snapshots.end(),
                                [](const RemovalPlan::Snapshot& s) { return s.whole; });
  PlanBlobs(cache, all, plan);
  if (plan.whole_repo) plan.freed_bytes = BlobBytes(cache, true);
  return plan;
}

Status ExecuteRemoval(const fs::path& cache_dir, const RemovalPlan& plan) {
  const RepoCache cache(cache_dir, plan.ref.repo_id);
  HFD_RETURN_IF_ERROR(cache.CheckDirs());
  if (plan.whole_repo) {
    HFD_ASSIGN_OR_RETURN(SafeDir root, SafeDir::Open(cache_dir, false));
    const std::string folder = cache.repo_dir().filename();
    HFD_RETURN_IF_ERROR(root.RemoveTree(folder));
    Result<SafeDir> locks = root.OpenDir(".locks", false);
    if (locks.ok()) return locks->RemoveTree(folder);
    return locks.status().code() == ErrorCode::kNotFound ? Status::Ok() : locks.status();
  }
  HFD_ASSIGN_OR_RETURN(SafeDir snapshots, cache.OpenFolder("snapshots", false));
  const std::map<std::string, std::string> refs = ReadRefs(cache);
  for (const RemovalPlan::Snapshot& s : plan.snapshots) {
    if (!s.whole) {
      for (const std::string& file : s.files) {
        HFD_RETURN_IF_ERROR(RemoveSnapshotFile(cache, s.commit, file));
      }
      continue;
    }
    HFD_RETURN_IF_ERROR(snapshots.RemoveTree(s.commit));
    for (const auto& [name, target] : refs) {
      if (target == s.commit) HFD_RETURN_IF_ERROR(cache.RemoveRef(name));
    }
  }
  HFD_ASSIGN_OR_RETURN(SafeDir blobs, cache.OpenFolder("blobs", false));
  for (const std::string& blob : plan.blobs) HFD_RETURN_IF_ERROR(blobs.Remove(blob));
  return Status::Ok();
}

}  // namespace hfd::hub
