// Downloads one file into blobs/{etag}: under the blob's lock, through
// blobs/{etag}.incomplete, resuming with Range, verifying the LFS sha256, then rename(2).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "hfd/status.h"
#include "hub/hub_client.h"
#include "hub/repo_cache.h"

namespace hfd::hub {

// Called with the number of new bytes each time data is written (from the pulling thread).
using BytesFn = std::function<void(uint64_t new_bytes)>;

struct BlobDownload {
  uint64_t bytes_downloaded = 0;  // transferred in this call
  uint64_t bytes_resumed = 0;     // already present in .incomplete when this call started
};

// Makes blobs/{file.etag()} hold `file`'s content, as a regular file. Returns at once when
// the blob exists. No symlink is followed: a blob that is one counts as missing, a lock
// file that is one is refused, and a partial file that is not our own single-link regular
// file is replaced by a fresh one. Transient failures are retried (resuming); a sha256 mismatch
// discards the partial file and retries from zero; cancel, a full disk or a permanent HTTP error
// keep the partial file.
Result<BlobDownload> DownloadBlob(HubClient& client, const RepoCache& cache,
                                  const std::string& repo_id, const std::string& commit,
                                  const RepoFile& file, const BytesFn& on_bytes,
                                  const std::atomic<bool>* cancel);

// Reads bytes [0, size) of a repo file with a Range request (for headers).
Result<std::string> FetchFilePrefix(HubClient& client, const std::string& repo_id,
                                    const std::string& commit, const RepoFile& file, uint64_t size,
                                    const std::atomic<bool>* cancel);

}  // namespace hfd::hub
