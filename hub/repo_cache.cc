#include "hub/repo_cache.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <random>

#include "hub/model_ref.h"
#include "hub/path_safety.h"

namespace hfd::hub {
namespace fs = std::filesystem;
namespace {

std::string UniqueSuffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return ".tmp." + std::to_string(getpid()) + "." + std::to_string(rng() % 1000000000);
}

Status CreateDirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return ErrnoError("cannot create " + dir.string(), ec.value());
  return Status::Ok();
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

Status RepoCache::EnsureDirs() const {
  for (const fs::path& dir : {blobs_dir(), repo_dir_ / "snapshots", repo_dir_ / "refs",
                              cache_dir_ / ".locks" / folder_}) {
    HFD_RETURN_IF_ERROR(CreateDirs(dir));
  }
  return Status::Ok();
}

Result<std::optional<std::string>> RepoCache::ReadRef(const std::string& revision) const {
  HFD_RETURN_IF_ERROR(ValidateRevision(revision));
  std::ifstream in(ref_path(revision));
  if (!in) return std::optional<std::string>();
  std::string commit;
  std::getline(in, commit);
  while (!commit.empty() && (commit.back() == '\n' || commit.back() == ' ')) commit.pop_back();
  if (!IsCommitSha(commit)) {
    return Corrupt("cache ref " + ref_path(revision).string() + " does not hold a commit SHA; " +
                   "delete it and pull again");
  }
  return std::optional<std::string>(commit);
}

Status RepoCache::WriteRef(const std::string& revision, const std::string& commit) const {
  HFD_RETURN_IF_ERROR(ValidateRevision(revision));
  const fs::path path = ref_path(revision);
  HFD_RETURN_IF_ERROR(CreateDirs(path.parent_path()));
  HFD_RETURN_IF_ERROR(CheckInside(repo_dir_, path));
  return WriteFileAtomic(path, commit);
}

bool RepoCache::HasSnapshotFile(const std::string& commit, const std::string& path) const {
  std::error_code ec;
  return fs::is_regular_file(snapshot_dir(commit) / path, ec);
}

Status RepoCache::LinkSnapshotFile(const std::string& commit, const std::string& path,
                                   const std::string& etag) const {
  HFD_RETURN_IF_ERROR(ValidateRepoFilePath(path));
  HFD_RETURN_IF_ERROR(ValidateEtag(etag));
  const fs::path link = snapshot_dir(commit) / path;
  HFD_RETURN_IF_ERROR(CreateDirs(link.parent_path()));
  HFD_RETURN_IF_ERROR(CheckInside(repo_dir_, link));
  // Relative target: one "../" per folder between the link and the repo folder.
  const fs::path target = blob_path(etag).lexically_relative(link.parent_path());
  const fs::path tmp = link.parent_path() / ("." + link.filename().string() + UniqueSuffix());
  std::error_code ec;
  fs::create_symlink(target, tmp, ec);
  if (ec) return ErrnoError("cannot create symlink " + tmp.string(), ec.value());
  fs::rename(tmp, link, ec);
  if (ec) {
    fs::remove(tmp);
    return ErrnoError("cannot place snapshot file " + link.string(), ec.value());
  }
  return Status::Ok();
}

std::vector<std::string> RepoCache::ListSnapshotFiles(const std::string& commit) const {
  std::vector<std::string> files;
  const fs::path root = snapshot_dir(commit);
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (fs::is_regular_file(it->path(), type_ec)) {
      files.push_back(it->path().lexically_relative(root).generic_string());
    }
  }
  std::sort(files.begin(), files.end());
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

Status WriteFileAtomic(const fs::path& path, const std::string& content) {
  const fs::path tmp = path.parent_path() / ("." + path.filename().string() + UniqueSuffix());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return ErrnoError("cannot write " + tmp.string(), errno);
    out << content;
    if (!out.flush()) return ErrnoError("cannot write " + tmp.string(), errno);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp);
    return ErrnoError("cannot replace " + path.string(), ec.value());
  }
  return Status::Ok();
}

}  // namespace hfd::hub
