// One blob's download on the download thread, and the pulls waiting for it. The steps of
// a download run as the loop's callbacks: take the blob's file lock (polling: another
// process may hold it), open the partial file and hash what it already holds (a chunk per
// turn of the loop), then attempts with Range resume, sha256 verification and retries
// (timers for the backoff), and rename(2) into place.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "hfd/status.h"
#include "hub/async_sha256.h"
#include "hub/blob_files.h"
#include "hub/file_lock.h"
#include "hub/hub_client.h"
#include "hub/repo_cache.h"
#include "hub/retry.h"
#include "hub/safe_dir.h"
#include "hub/transfer_loop.h"

namespace hfd::hub {

struct BlobDownload {
  uint64_t bytes_downloaded = 0;  // transferred for this pull
  uint64_t bytes_resumed = 0;     // already present in .incomplete when the download started
};

// Called with the number of new bytes each time data is written.
using BytesFn = std::function<void(uint64_t new_bytes)>;

// A pull waiting for a blob. The callbacks run on the download thread; `done` runs once.
struct BlobWaiter {
  uint64_t id = 0;
  BytesFn on_bytes;  // may be empty
  RetryFn on_retry;  // may be empty: a failed attempt is retried after a wait
  std::function<void(Result<BlobDownload>)> done;
};

// Loop thread only; every callback it makes runs there and must not block.
class BlobJob {
 public:
  // `on_end` runs on the loop thread, after the job finished, outside the job's methods:
  // the owner may destroy the job there.
  BlobJob(HubClient client, RepoCache cache, std::string repo_id, std::string commit, RepoFile file,
          std::function<void(BlobJob*)> on_end);
  BlobJob(const BlobJob&) = delete;
  BlobJob& operator=(const BlobJob&) = delete;

  // Starts the download for `starter`, the waiter whose result counts the bytes.
  void Start(BlobWaiter starter);
  // Adds a waiter for the same blob: it gets the outcome, with no bytes counted as its own.
  void Join(BlobWaiter waiter);
  // Ends waiter `id`'s wait with Cancelled; once no waiter is left the download stops,
  // keeping the partial file. False when the job has no such waiter.
  bool Leave(uint64_t id);
  // Ends every wait with `why` and stops the download.
  void Close(const Status& why);

  // Whether a new waiter may join: the job is neither finished nor stopping.
  bool joinable() const { return stage_ != Stage::kDone && !stopping_.load(); }

 private:
  enum class Stage { kStarting, kLocking, kHashing, kTransferring, kWaitingRetry, kDone };

  TransferLoop& loop() const { return client_.loop(); }
  std::string incomplete_name() const { return file_.etag() + ".incomplete"; }
  std::string incomplete_path() const { return (cache_.blobs_dir() / incomplete_name()).string(); }
  void TryLock();
  void OpenPartialFile();
  void HashSome();
  void Attempt();
  void OnAttempt(const Result<HttpResponse>& response, std::optional<Millis> retry_after);
  void Stop();
  void Finish(const Result<BlobDownload>& outcome);

  HubClient client_;
  RepoCache cache_;
  std::string repo_id_;
  std::string commit_;
  RepoFile file_;
  std::function<void(BlobJob*)> on_end_;

  std::vector<BlobWaiter> waiters_;
  uint64_t starter_id_ = 0;
  Stage stage_ = Stage::kStarting;
  std::atomic<bool> stopping_{false};  // the transfers' cancel flag
  std::optional<TransferLoop::TimerId> timer_;
  std::chrono::milliseconds lock_poll_{5};

  std::optional<SafeDir> blobs_;
  std::optional<SafeDir> locks_;
  std::optional<FileLock> lock_;
  UniqueFd fd_;
  std::optional<AsyncSha256> hasher_;
  uint64_t offset_ = 0;
  uint64_t hashed_ = 0;
  std::unique_ptr<IncompleteFileSink> sink_;
  BlobDownload counted_;
  RetryState retry_;
};

}  // namespace hfd::hub
