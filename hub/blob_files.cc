#include "hub/blob_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

namespace hfd::hub {
namespace {

constexpr uint64_t kHashChunkBytes = 4u << 20;

bool IsOwnPartialFile(const struct stat& st) {
  return S_ISREG(st.st_mode) && st.st_nlink == 1 && st.st_uid == ::geteuid();
}

}  // namespace

bool BlobComplete(const SafeDir& blobs, const std::string& etag, uint64_t size) {
  const std::optional<struct stat> st = blobs.Lstat(etag);
  return st && S_ISREG(st->st_mode) && static_cast<uint64_t>(st->st_size) == size;
}

Result<UniqueFd> OpenIncomplete(const SafeDir& blobs, const std::string& name) {
  if (const std::optional<struct stat> st = blobs.Lstat(name); st && !IsOwnPartialFile(*st)) {
    HFD_RETURN_IF_ERROR(blobs.Remove(name));
  }
  HFD_ASSIGN_OR_RETURN(UniqueFd fd, blobs.OpenFile(name, O_RDWR | O_CREAT, Links::kRefuse, 0644));
  const std::filesystem::path path = blobs.path() / name;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat " + path.string(), errno);
  if (!IsOwnPartialFile(st)) {
    return PermissionDenied("refusing " + path.string() +
                            ": it was replaced while hfd opened it (another user is writing "
                            "in the cache); remove it, then pull again");
  }
  return fd;
}

Status HashChunk(int fd, uint64_t end, uint64_t* pos, AsyncSha256* hasher,
                 const std::string& path) {
  std::vector<char> buf(std::min(kHashChunkBytes, end - *pos));
  size_t done = 0;
  while (done < buf.size()) {
    const ssize_t n =
        ::pread(fd, buf.data() + done, buf.size() - done, static_cast<off_t>(*pos + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoError("cannot read " + path, n < 0 ? errno : EIO);
    done += static_cast<size_t>(n);
  }
  hasher->Update(buf.data(), buf.size());
  *pos += buf.size();
  return Status::Ok();
}

Status IncompleteFileSink::OnStart(const HttpResponse& response) {
  if (response.status == 206 || offset_ == 0) return Status::Ok();
  // The server ignored our Range: start over.
  if (::ftruncate(fd_, 0) != 0) return ErrnoError("cannot truncate " + path_, errno);
  offset_ = 0;
  if (hasher_ != nullptr) hasher_->Reset();
  return Status::Ok();
}

Status IncompleteFileSink::Write(const char* data, size_t size) {
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

}  // namespace hfd::hub
