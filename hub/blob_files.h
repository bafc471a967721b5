// The files of one blob download in blobs/: the partial file {etag}.incomplete that the
// response body is appended to (hashing as it goes), and the test for a complete blob.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/unique_fd.h"
#include "hfd/status.h"
#include "hub/async_sha256.h"
#include "hub/http.h"
#include "hub/safe_dir.h"

namespace hfd::hub {

// True when blobs/{etag} is a regular file (never a symlink) of `size` bytes.
bool BlobComplete(const SafeDir& blobs, const std::string& etag, uint64_t size);

// Opens blobs/{name} to download into. Our own partial file (a regular file with one link
// that we own) is resumed; anything else there (a symlink, a hard link, another user's
// file) is removed, never written through, and the download starts in a fresh file.
Result<UniqueFd> OpenIncomplete(const SafeDir& blobs, const std::string& name);

// Feeds bytes [*pos, min(*pos + chunk, end)) of the file at `fd` to `hasher`, advancing
// *pos: the bytes a resumed download already has, a chunk at a time so the download thread
// stays responsive. `path` names the file in errors.
Status HashChunk(int fd, uint64_t end, uint64_t* pos, AsyncSha256* hasher, const std::string& path);

// Appends a 2xx response body to the .incomplete file at `fd`, from `offset`, hashing as it
// goes (when `hasher` is set) and reporting each write to `on_bytes`. A server that ignores
// the Range request starts the file over. A write error keeps what was written.
class IncompleteFileSink : public BodySink {
 public:
  IncompleteFileSink(int fd, std::string path, uint64_t offset, AsyncSha256* hasher,
                     std::function<void(uint64_t)> on_bytes)
      : fd_(fd),
        path_(std::move(path)),
        offset_(offset),
        hasher_(hasher),
        on_bytes_(std::move(on_bytes)) {}

  Status OnStart(const HttpResponse& response) override;
  Status Write(const char* data, size_t size) override;

  uint64_t offset() const { return offset_; }
  uint64_t downloaded() const { return downloaded_; }

 private:
  int fd_;
  std::string path_;
  uint64_t offset_;
  AsyncSha256* hasher_;
  std::function<void(uint64_t)> on_bytes_;
  uint64_t downloaded_ = 0;
};

}  // namespace hfd::hub
