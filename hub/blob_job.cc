#include "hub/blob_job.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace hfd::hub {

BlobJob::BlobJob(HubClient client, RepoCache cache, std::string repo_id, std::string commit,
                 RepoFile file, std::function<void(BlobJob*)> on_end)
    : client_(std::move(client)),
      cache_(std::move(cache)),
      repo_id_(std::move(repo_id)),
      commit_(std::move(commit)),
      file_(std::move(file)),
      on_end_(std::move(on_end)),
      retry_(client_.retry_policy(), &stopping_, [this](const RetryNotice& notice) {
        for (const BlobWaiter& w : waiters_) {
          if (w.on_retry) w.on_retry(notice);
        }
      }) {}

void BlobJob::Start(BlobWaiter starter) {
  starter_id_ = starter.id;
  waiters_.push_back(std::move(starter));
  if (Status valid = ValidateEtag(file_.etag()); !valid.ok()) return Finish(valid);
  Result<SafeDir> blobs = cache_.OpenFolder("blobs", true);
  if (!blobs.ok()) return Finish(blobs.status());
  blobs_.emplace(std::move(blobs).value());
  if (BlobComplete(*blobs_, file_.etag(), file_.size)) return Finish(BlobDownload{});
  Result<SafeDir> locks = cache_.OpenLocks();
  if (!locks.ok()) return Finish(locks.status());
  locks_.emplace(std::move(locks).value());
  TryLock();
}

void BlobJob::Join(BlobWaiter waiter) { waiters_.push_back(std::move(waiter)); }

bool BlobJob::Leave(uint64_t id) {
  auto it = std::find_if(waiters_.begin(), waiters_.end(),
                         [id](const BlobWaiter& w) { return w.id == id; });
  if (it == waiters_.end()) return false;
  auto done = std::move(it->done);
  waiters_.erase(it);
  done(Cancelled("pull cancelled"));
  if (waiters_.empty()) Stop();
  return true;
}

void BlobJob::Close(const Status& why) {
  std::vector<BlobWaiter> waiters = std::move(waiters_);
  waiters_.clear();
  for (BlobWaiter& w : waiters) w.done(why);
  Stop();
}

void BlobJob::TryLock() {
  timer_.reset();
  Result<std::optional<FileLock>> lock = FileLock::TryAcquire(*locks_, file_.etag() + ".lock");
  if (!lock.ok()) return Finish(lock.status());
  if (!lock->has_value()) {
    // Another process downloads this blob: wait for it, then find the blob complete.
    stage_ = Stage::kLocking;
    timer_ = loop().After(lock_poll_, [this] { TryLock(); });
    lock_poll_ = std::min(lock_poll_ * 2, std::chrono::milliseconds(200));
    return;
  }
  lock_.emplace(std::move(**lock));
  if (BlobComplete(*blobs_, file_.etag(), file_.size)) return Finish(BlobDownload{});
  OpenPartialFile();
}

void BlobJob::OpenPartialFile() {
  Result<UniqueFd> fd = OpenIncomplete(*blobs_, incomplete_name());
  if (!fd.ok()) return Finish(fd.status());
  fd_ = std::move(fd).value();
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0)
    return Finish(ErrnoError("cannot stat " + incomplete_path(), errno));
  offset_ = static_cast<uint64_t>(st.st_size);
  if (offset_ > file_.size) {
    if (::ftruncate(fd_.get(), 0) != 0) {
      return Finish(ErrnoError("cannot truncate " + incomplete_path(), errno));
    }
    offset_ = 0;
  }
  counted_.bytes_resumed = offset_;
  if (!file_.lfs_sha256) return Attempt();
  hasher_.emplace();
  HashSome();
}

void BlobJob::HashSome() {
  timer_.reset();
  if (hashed_ < offset_) {
    const Status hashed = HashChunk(fd_.get(), offset_, &hashed_, &*hasher_, incomplete_path());
    if (!hashed.ok()) return Finish(hashed);
  }
  if (hashed_ < offset_) {
    stage_ = Stage::kHashing;
    timer_ = loop().After(std::chrono::milliseconds(0), [this] { HashSome(); });
    return;
  }
  Attempt();
}

void BlobJob::Attempt() {
  timer_.reset();
  if (offset_ >= file_.size) return OnAttempt(HttpResponse{}, std::nullopt);  // only verify
  HttpRequest request;
  request.url = client_.ResolveUrl(repo_id_, commit_, file_.path);
  if (offset_ > 0) request.range_start = offset_;
  sink_ = std::make_unique<IncompleteFileSink>(fd_.get(), incomplete_path(), offset_,
                                               hasher_ ? &*hasher_ : nullptr, [this](uint64_t n) {
                                                 for (const BlobWaiter& w : waiters_) {
                                                   if (w.on_bytes) w.on_bytes(n);
                                                 }
                                               });
  stage_ = Stage::kTransferring;
  client_.SendOnceAsync(
      request, {repo_id_, commit_, file_.path}, sink_.get(), &stopping_,
      [this](const Result<HttpResponse>& response, std::optional<Millis> retry_after) {
        OnAttempt(response, retry_after);
      });
}

void BlobJob::OnAttempt(const Result<HttpResponse>& response, std::optional<Millis> retry_after) {
  Status failure = response.status();
  if (sink_ != nullptr) {
    offset_ = sink_->offset();
    counted_.bytes_downloaded += sink_->downloaded();
    sink_.reset();
  }
  if (failure.ok() && offset_ != file_.size) {
    failure = Unavailable("download of '" + file_.path + "' ended at byte " +
                          std::to_string(offset_) + " of " + std::to_string(file_.size));
  }
  if (failure.ok() && hasher_) {
    const std::string digest = hasher_->HexDigest();
    if (digest != *file_.lfs_sha256) {
      failure = Corrupt("'" + file_.path + "' failed its sha256 check (expected " +
                        *file_.lfs_sha256 + ", got " + digest + ")");
      if (::ftruncate(fd_.get(), 0) != 0) {
        return Finish(ErrnoError("cannot truncate " + incomplete_path(), errno));
      }
      offset_ = 0;
    }
  }
  if (failure.ok()) {
    const Status placed = blobs_->Rename(incomplete_name(), file_.etag());
    return placed.ok() ? Finish(counted_) : Finish(placed);
  }
  // Cancel, a full disk or a permanent HTTP error end it, keeping the partial file.
  if (!IsRetryable(failure) && failure.code() != ErrorCode::kCorrupt) return Finish(failure);
  Result<Millis> wait = retry_.NextWait(failure, retry_after);
  if (!wait.ok()) return Finish(wait.status());
  stage_ = Stage::kWaitingRetry;
  timer_ = loop().After(*wait, [this] { Attempt(); });
}

void BlobJob::Stop() {
  if (stage_ == Stage::kDone) return;
  stopping_ = true;
  if (stage_ == Stage::kTransferring) return;  // the loop stops the transfer; OnAttempt ends it
  if (timer_) loop().CancelTimer(*timer_);
  Finish(Cancelled("pull cancelled"));
}

void BlobJob::Finish(const Result<BlobDownload>& outcome) {
  stage_ = Stage::kDone;
  timer_.reset();
  sink_.reset();
  hasher_.reset();
  fd_.Reset();
  lock_.reset();
  std::vector<BlobWaiter> waiters = std::move(waiters_);
  waiters_.clear();
  for (BlobWaiter& w : waiters) {
    w.done(w.id == starter_id_ || !outcome.ok() ? outcome : Result<BlobDownload>(BlobDownload{}));
  }
  loop().Post([on_end = on_end_, self = this] { on_end(self); });
}

}  // namespace hfd::hub
