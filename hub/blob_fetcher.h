// Blob downloads for the pulls of one Puller, on its download thread: one download per
// blob however many pulls ask for it at once (the later ones join it), each pull able to
// stop waiting without stopping the download for the others.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hfd/status.h"
#include "hub/blob_job.h"
#include "hub/hub_client.h"
#include "hub/repo_cache.h"
#include "hub/transfer_loop.h"

namespace hfd::hub {

class BlobFetcher {
 public:
  // `loop` must outlive the fetcher.
  explicit BlobFetcher(TransferLoop& loop);
  // Ends every wait with Cancelled, and returns once every download has stopped (partial
  // files kept). Not on the loop thread.
  ~BlobFetcher();
  BlobFetcher(const BlobFetcher&) = delete;
  BlobFetcher& operator=(const BlobFetcher&) = delete;

  // Blocking; thread-safe, not on the loop thread. Makes blobs/{file.etag()} hold `file`'s
  // content as a regular file; returns at once when the blob exists. No symlink is
  // followed: a blob that is one counts as missing, a lock file that is one is refused, and
  // a partial file that is not our own single-link regular file is replaced by a fresh one.
  // Transient failures are retried (resuming); a sha256 mismatch discards the partial file
  // and retries from zero; a full disk or a permanent HTTP error keep the partial file.
  // While this fetcher downloads the same blob (same repo folder, same etag) for another
  // pull, the call joins that download: one transfer, every waiter's `on_bytes` sees its
  // bytes, and only the pull that started it counts them as its own. `on_bytes` runs on
  // the calling thread (at most every 50 ms), and so does `on_retry` (may be empty) for each
  // retry of the download. `cancel` (may be null) ends this call's wait with Cancelled
  // within ~50 ms; the download goes on while another pull waits for it, else it stops.
  Result<BlobDownload> Fetch(const HubClient& client, const RepoCache& cache,
                             const std::string& repo_id, const std::string& commit,
                             const RepoFile& file, BytesFn on_bytes, RetryFn on_retry,
                             const std::atomic<bool>* cancel);

 private:
  // Loop thread only.
  void Join(BlobWaiter waiter, const HubClient& client, const RepoCache& cache,
            const std::string& repo_id, const std::string& commit, const RepoFile& file);
  void Leave(uint64_t id);
  void Ended(BlobJob* job);
  void CloseAll();

  TransferLoop& loop_;
  std::atomic<uint64_t> next_waiter_{1};
  // Loop thread only.
  std::map<std::string, std::unique_ptr<BlobJob>> jobs_;  // joinable, by blob path
  std::vector<std::unique_ptr<BlobJob>> ending_;          // stopping or finished
  bool closing_ = false;
};

}  // namespace hfd::hub
