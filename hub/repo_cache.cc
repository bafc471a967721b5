#include "hub/repo_cache.h"

#include <fcntl.h>

#include <algorithm>

#include "hub/model_ref.h"
#include "hub/path_safety.h"

namespace hfd::hub {
namespace fs = std::filesystem;
namespace {

// A ref file holds one 40-hex commit and a newline; anything much larger is not one.
constexpr size_t kMaxRefBytes = 4096;

// "snapshots/{commit}/{path}", after checking that `commit` is one plain name.
Result<std::string> SnapshotRelative(const std::string& commit, const std::string& path) {
  if (!IsCommitSha(commit)) {
    return InvalidArgument("'" + commit + "' is not a commit SHA (40 lowercase hex digits)");
  }
  return "snapshots/" + commit + "/" + path;
}

}  // namespace

RepoCache::RepoCache(fs::path cache_dir, const std::string& repo_id)
    : cache_dir_(std::move(cache_dir)),
      folder_(FolderName(repo_id)),
      repo_dir_(cache_dir_ / folder_) {}

std::string RepoCache::FolderName(const std::string& repo_id) {
  std::string out = "models--";
  for (char c : repo_id) {
    if (c == '/') {
      out += "--";
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> RepoCache::RepoIdFromFolder(const std::string& folder) {
  const std::string prefix = "models--";
  if (!folder.starts_with(prefix)) return std::nullopt;
  std::string rest = folder.substr(prefix.size());
  const size_t sep = rest.find("--");
  std::string id =
      sep == std::string::npos ? rest : rest.substr(0, sep) + "/" + rest.substr(sep + 2);
  if (!ValidateRepoId(id).ok()) return std::nullopt;
  return id;
}

fs::path RepoCache::lock_path(const std::string& etag) const {
  return cache_dir_ / ".locks" / folder_ / (etag + ".lock");
}

Result<SafeDir> RepoCache::OpenFolder(const std::string& relative, bool create) const {
  HFD_ASSIGN_OR_RETURN(SafeDir root, SafeDir::Open(cache_dir_, create));
  return root.OpenDir(relative.empty() ? folder_ : folder_ + "/" + relative, create);
}

Result<SafeDir> RepoCache::OpenLocks() const {
  HFD_ASSIGN_OR_RETURN(SafeDir root, SafeDir::Open(cache_dir_, true));
  return root.OpenDir(".locks/" + folder_, true);
}

Status RepoCache::EnsureDirs() const {
  HFD_ASSIGN_OR_RETURN(SafeDir root, SafeDir::Open(cache_dir_, true));
  for (const std::string& dir :
       {folder_ + "/blobs", folder_ + "/snapshots", folder_ + "/refs", ".locks/" + folder_}) {
    HFD_RETURN_IF_ERROR(root.OpenDir(dir, true).status());
  }
  return Status::Ok();
}

Status RepoCache::CheckDirs() const {
  Result<SafeDir> root = SafeDir::Open(cache_dir_, false);
  if (!root.ok())
    return root.status().code() == ErrorCode::kNotFound ? Status::Ok() : root.status();
  for (const std::string& dir : {folder_, folder_ + "/blobs", folder_ + "/snapshots",
                                 folder_ + "/refs", std::string(".locks"), ".locks/" + folder_}) {
    Status status = root->OpenDir(dir, false).status();
    if (!status.ok() && status.code() != ErrorCode::kNotFound) return status;
  }
  return Status::Ok();
}

Result<std::optional<std::string>> RepoCache::ReadRef(const std::string& revision) const {
  HFD_RETURN_IF_ERROR(ValidateRevision(revision));
  Result<SafeDir> repo = OpenFolder("", false);
  if (repo.status().code() == ErrorCode::kNotFound) return std::optional<std::string>();
  if (!repo.ok()) return repo.status();
  Result<UniqueFd> fd = repo->OpenFile("refs/" + revision, O_RDONLY | O_NONBLOCK, Links::kRefuse);
  if (fd.status().code() == ErrorCode::kNotFound) return std::optional<std::string>();
  if (!fd.ok()) return fd.status();
  HFD_ASSIGN_OR_RETURN(std::string commit,
                       ReadRegularFile(fd->get(), kMaxRefBytes, ref_path(revision)));
  while (!commit.empty() && (commit.back() == '\n' || commit.back() == ' ')) commit.pop_back();
  if (!IsCommitSha(commit)) {
    return Corrupt("cache ref " + ref_path(revision).string() + " does not hold a commit SHA; " +
                   "delete it and pull again");
  }
  return std::optional<std::string>(commit);
}

Status RepoCache::WriteRef(const std::string& revision, const std::string& commit) const {
  HFD_RETURN_IF_ERROR(ValidateRevision(revision));
  const fs::path relative = fs::path("refs") / revision;
  HFD_ASSIGN_OR_RETURN(SafeDir dir, OpenFolder(relative.parent_path().string(), true));
  return WriteFileAtomic(dir, relative.filename(), commit);
}

Status RepoCache::RemoveRef(const std::string& revision) const {
  HFD_RETURN_IF_ERROR(ValidateRevision(revision));
  const fs::path relative = fs::path("refs") / revision;
  Result<SafeDir> dir = OpenFolder(relative.parent_path().string(), false);
  if (dir.status().code() == ErrorCode::kNotFound) return Status::Ok();
  if (!dir.ok()) return dir.status();
  return dir->Remove(relative.filename());
}

std::optional<struct stat> RepoCache::StatSnapshotFile(const std::string& commit,
                                                       const std::string& path) const {
  Result<std::string> relative = SnapshotRelative(commit, path);
  if (!relative.ok()) return std::nullopt;
  Result<SafeDir> repo = OpenFolder("", false);
  if (!repo.ok()) return std::nullopt;
  Result<UniqueFd> fd = repo->OpenFile(*relative, O_PATH, Links::kFollowInside);
  struct stat st {};
  if (!fd.ok() || ::fstat(fd->get(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return st;
}

bool RepoCache::HasSnapshotFile(const std::string& commit, const std::string& path) const {
  return StatSnapshotFile(commit, path).has_value();
}

Result<std::string> RepoCache::ReadSnapshotFile(const std::string& commit, const std::string& path,
                                                size_t max_bytes) const {
  HFD_ASSIGN_OR_RETURN(std::string relative, SnapshotRelative(commit, path));
  HFD_ASSIGN_OR_RETURN(SafeDir repo, OpenFolder("", false));
  HFD_ASSIGN_OR_RETURN(UniqueFd fd,
                       repo.OpenFile(relative, O_RDONLY | O_NONBLOCK, Links::kFollowInside));
  return ReadRegularFile(fd.get(), max_bytes, snapshot_dir(commit) / path);
}

Status RepoCache::LinkSnapshotFile(const std::string& commit, const std::string& path,
                                   const std::string& etag) const {
  HFD_RETURN_IF_ERROR(ValidateRepoFilePath(path));
  HFD_RETURN_IF_ERROR(ValidateEtag(etag));
  HFD_ASSIGN_OR_RETURN(std::string relative, SnapshotRelative(commit, path));
  const fs::path link(relative);
  HFD_ASSIGN_OR_RETURN(SafeDir dir, OpenFolder(link.parent_path().string(), true));
  // Relative target: one "../" per folder between the link and the repo folder.
  const fs::path target = fs::path("blobs/" + etag).lexically_relative(link.parent_path());
  return SymlinkAtomic(dir, link.filename(), target);
}

std::vector<std::string> RepoCache::ListSnapshotFiles(const std::string& commit) const {
  std::vector<std::string> files;
  if (!IsCommitSha(commit)) return files;
  Result<SafeDir> snapshot = OpenFolder("snapshots/" + commit, false);
  if (!snapshot.ok()) return files;
  for (std::string& entry : snapshot->ListEntries()) {
    if (HasSnapshotFile(commit, entry)) files.push_back(std::move(entry));
  }
  return files;
}

Status ValidateEtag(const std::string& etag) {
  const bool ok =
      !etag.empty() && etag.size() <= 128 && std::all_of(etag.begin(), etag.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
      });
  if (!ok) return Corrupt("the Hub returned an ETag that is not a safe file name: '" + etag + "'");
  return Status::Ok();
}

}  // namespace hfd::hub
