#include "hub/blob_download.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <vector>

#include "common/unique_fd.h"
#include "hub/async_sha256.h"
#include "hub/file_lock.h"

namespace hfd::hub {
namespace fs = std::filesystem;
namespace {

// Appends a response body to the .incomplete file, hashing as it goes.
class IncompleteFileSink : public BodySink {
 public:
  IncompleteFileSink(int fd, std::string path, uint64_t offset, AsyncSha256* hasher,
                     const BytesFn& on_bytes)
      : fd_(fd), path_(std::move(path)), offset_(offset), hasher_(hasher), on_bytes_(on_bytes) {}

  Status OnStart(const HttpResponse& response) override {
    if (response.status == 206 || offset_ == 0) return Status::Ok();
    // The server ignored our Range: start over.
    if (::ftruncate(fd_, 0) != 0) return ErrnoError("cannot truncate " + path_, errno);
    offset_ = 0;
    if (hasher_ != nullptr) hasher_->Reset();
    return Status::Ok();
  }

  Status Write(const char* data, size_t size) override {
    size_t done = 0;
    while (done < size) {
      const ssize_t n = ::pwrite(fd_, data + done, size - done, static_cast<off_t>(offset_ + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        // Keep what was written: the next pull resumes from it.
        return ErrnoError("cannot write " + path_ + " (partial download kept for resume)", errno);
      }
      done += static_cast<size_t>(n);
    }
    if (hasher_ != nullptr) hasher_->Update(data, size);
    offset_ += size;
    downloaded_ += size;
    if (on_bytes_) on_bytes_(size);
    return Status::Ok();
  }

  uint64_t offset() const { return offset_; }
  uint64_t downloaded() const { return downloaded_; }

 private:
  int fd_;
  std::string path_;
  uint64_t offset_;
  AsyncSha256* hasher_;
  const BytesFn& on_bytes_;
  uint64_t downloaded_ = 0;
};

// Hashes the first `size` bytes already in the file (resume after a crash).
Status HashExisting(int fd, uint64_t size, AsyncSha256* hasher, const std::string& path) {
  std::vector<char> buf(1 << 20);
  uint64_t pos = 0;
  while (pos < size) {
    const ssize_t n = ::pread(fd, buf.data(), std::min<uint64_t>(buf.size(), size - pos),
                              static_cast<off_t>(pos));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoError("cannot read " + path, n < 0 ? errno : EIO);
    hasher->Update(buf.data(), static_cast<size_t>(n));
    pos += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

// The blob is complete when blobs/{etag} is a regular file (never a symlink) of its size.
bool BlobComplete(const SafeDir& blobs, const std::string& etag, uint64_t size) {
  const std::optional<struct stat> st = blobs.Lstat(etag);
  return st && S_ISREG(st->st_mode) && static_cast<uint64_t>(st->st_size) == size;
}

// A partial download we may append to: a regular file with one link that we own.
bool IsOwnPartialFile(const struct stat& st) {
  return S_ISREG(st.st_mode) && st.st_nlink == 1 && st.st_uid == ::geteuid();
}

// Opens blobs/{name} to download into. Our own partial file is resumed; anything else there
// (a symlink, a hard link, another user's file) is removed, never written through, and the
// download starts in a fresh file.
Result<UniqueFd> OpenIncomplete(const SafeDir& blobs, const std::string& name) {
  if (const std::optional<struct stat> st = blobs.Lstat(name); st && !IsOwnPartialFile(*st)) {
    HFD_RETURN_IF_ERROR(blobs.Remove(name));
  }
  HFD_ASSIGN_OR_RETURN(UniqueFd fd, blobs.OpenFile(name, O_RDWR | O_CREAT, Links::kRefuse, 0644));
  const fs::path path = blobs.path() / name;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat " + path.string(), errno);
  if (!IsOwnPartialFile(st)) {
    return PermissionDenied("refusing " + path.string() +
                            ": it was replaced while hfd opened it (another user is writing "
                            "in the cache); remove it, then pull again");
  }
  return fd;
}

}  // namespace

Result<BlobDownload> DownloadBlob(HubClient& client, const RepoCache& cache,
                                  const std::string& repo_id, const std::string& commit,
                                  const RepoFile& file, const BytesFn& on_bytes,
                                  const std::atomic<bool>* cancel) {
  const std::string& etag = file.etag();
  HFD_RETURN_IF_ERROR(ValidateEtag(etag));
  HFD_ASSIGN_OR_RETURN(SafeDir blobs, cache.OpenFolder("blobs", true));
  if (BlobComplete(blobs, etag, file.size)) return BlobDownload{};
  HFD_ASSIGN_OR_RETURN(SafeDir locks, cache.OpenLocks());
  HFD_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(locks, etag + ".lock", cancel));
  if (BlobComplete(blobs, etag, file.size)) return BlobDownload{};  // another puller finished it

  const std::string incomplete_name = etag + ".incomplete";
  const fs::path incomplete = blobs.path() / incomplete_name;
  HFD_ASSIGN_OR_RETURN(UniqueFd fd, OpenIncomplete(blobs, incomplete_name));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat " + incomplete.string(), errno);
  uint64_t offset = static_cast<uint64_t>(st.st_size);
  if (offset > file.size) {
    if (::ftruncate(fd.get(), 0) != 0)
      return ErrnoError("cannot truncate " + incomplete.string(), errno);
    offset = 0;
  }
  BlobDownload result;
  result.bytes_resumed = offset;
  std::optional<AsyncSha256> hasher;
  if (file.lfs_sha256) {
    hasher.emplace();
    HFD_RETURN_IF_ERROR(HashExisting(fd.get(), offset, &*hasher, incomplete.string()));
  }

  const RequestSubject subject{repo_id, commit, file.path};
  RetryState retry(client.retry_policy(), cancel);
  while (true) {
    Status failure;
    std::optional<Millis> retry_after;
    if (offset < file.size) {
      HttpRequest request;
      request.url = client.ResolveUrl(repo_id, commit, file.path);
      if (offset > 0) request.range_start = offset;
      IncompleteFileSink sink(fd.get(), incomplete.string(), offset, hasher ? &*hasher : nullptr,
                              on_bytes);
      Result<HttpResponse> response =
          client.SendOnce(request, subject, &sink, cancel, &retry_after);
      offset = sink.offset();
      result.bytes_downloaded += sink.downloaded();
      if (!response.ok()) failure = response.status();
    }
    if (failure.ok() && offset != file.size) {
      failure = Unavailable("download of '" + file.path + "' ended at byte " +
                            std::to_string(offset) + " of " + std::to_string(file.size));
    }
    if (failure.ok() && hasher) {
      const std::string digest = hasher->HexDigest();
      if (digest != *file.lfs_sha256) {
        failure = Corrupt("'" + file.path + "' failed its sha256 check (expected " +
                          *file.lfs_sha256 + ", got " + digest + ")");
        if (::ftruncate(fd.get(), 0) != 0) {
          return ErrnoError("cannot truncate " + incomplete.string(), errno);
        }
        offset = 0;
      }
    }
    if (failure.ok()) break;
    if (!IsRetryable(failure) && failure.code() != ErrorCode::kCorrupt) return failure;
    HFD_RETURN_IF_ERROR(retry.BeforeRetry(failure, retry_after));
  }
  HFD_RETURN_IF_ERROR(blobs.Rename(incomplete_name, etag));
  return result;
}

Result<std::string> FetchFilePrefix(HubClient& client, const std::string& repo_id,
                                    const std::string& commit, const RepoFile& file, uint64_t size,
                                    const std::atomic<bool>* cancel) {
  if (file.size == 0 || size == 0) return std::string();
  HttpRequest request;
  request.url = client.ResolveUrl(repo_id, commit, file.path);
  request.range_start = 0;
  request.range_end = std::min(size, file.size) - 1;
  HFD_ASSIGN_OR_RETURN(HttpResponse response,
                       client.Send(request, {repo_id, commit, file.path}, cancel));
  return std::move(response.body);
}

}  // namespace hfd::hub
