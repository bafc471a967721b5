#include "hub/blob_fetcher.h"

#include <algorithm>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

namespace hfd::hub {
namespace {

// How often a waiting caller reports progress and looks at its cancel flag.
constexpr std::chrono::milliseconds kPoll{50};

// What reaches a waiting caller from the loop thread: the bytes written since it last
// looked and the retries (it reports them on its own thread), and the result.
struct Outcome {
  std::atomic<uint64_t> new_bytes{0};
  std::mutex mu;
  std::condition_variable arrived;
  std::vector<RetryNotice> retries;            // guarded by mu
  std::optional<Result<BlobDownload>> result;  // guarded by mu
};

}  // namespace

BlobFetcher::BlobFetcher(TransferLoop& loop) : loop_(loop) {}

BlobFetcher::~BlobFetcher() {
  loop_.Post([this] { CloseAll(); });
  while (true) {
    std::promise<bool> idle;
    loop_.Post([&] { idle.set_value(jobs_.empty() && ending_.empty()); });
    if (idle.get_future().get()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Result<BlobDownload> BlobFetcher::Fetch(const HubClient& client, const RepoCache& cache,
                                        const std::string& repo_id, const std::string& commit,
                                        const RepoFile& file, BytesFn on_bytes, RetryFn on_retry,
                                        const std::atomic<bool>* cancel) {
  auto outcome = std::make_shared<Outcome>();
  const uint64_t id = next_waiter_++;
  BlobWaiter waiter{id, [outcome](uint64_t n) { outcome->new_bytes += n; },
                    [outcome](const RetryNotice& notice) {
                      std::lock_guard<std::mutex> lock(outcome->mu);
                      outcome->retries.push_back(notice);
                      outcome->arrived.notify_all();
                    },
                    [outcome](Result<BlobDownload> result) {
                      std::lock_guard<std::mutex> lock(outcome->mu);
                      outcome->result = std::move(result);
                      outcome->arrived.notify_all();
                    }};
  loop_.Post([this, waiter, client, cache, repo_id, commit, file] {
    Join(waiter, client, cache, repo_id, commit, file);
  });
  // Progress is reported here, on the caller's thread: the download thread runs no
  // caller code, so a caller that blocks (a congested client) stalls no other download.
  const auto report = [&](const std::vector<RetryNotice>& retries) {
    const uint64_t n = outcome->new_bytes.exchange(0);
    if (n > 0 && on_bytes) on_bytes(n);
    for (const RetryNotice& notice : retries) {
      if (on_retry) on_retry(notice);
    }
  };
  bool left = false;
  while (true) {
    std::vector<RetryNotice> retries;
    {
      std::unique_lock<std::mutex> lock(outcome->mu);
      outcome->arrived.wait_for(
          lock, kPoll, [&] { return outcome->result.has_value() || !outcome->retries.empty(); });
      if (outcome->result) break;
      retries.swap(outcome->retries);
    }
    report(retries);
    if (!left && cancel != nullptr && cancel->load()) {
      left = true;  // the answer (Cancelled, or the outcome if it came first) still arrives
      loop_.Post([this, id] { Leave(id); });
    }
  }
  std::unique_lock<std::mutex> lock(outcome->mu);
  std::vector<RetryNotice> retries;
  retries.swap(outcome->retries);
  lock.unlock();
  report(retries);
  lock.lock();
  return std::move(*outcome->result);
}

void BlobFetcher::Join(BlobWaiter waiter, const HubClient& client, const RepoCache& cache,
                       const std::string& repo_id, const std::string& commit,
                       const RepoFile& file) {
  if (closing_) return waiter.done(Cancelled("the puller is shutting down"));
  const std::string key = (cache.blobs_dir() / file.etag()).string();
  auto it = jobs_.find(key);
  if (it != jobs_.end() && it->second->joinable()) return it->second->Join(std::move(waiter));
  if (it != jobs_.end()) {
    ending_.push_back(std::move(it->second));
    jobs_.erase(it);
  }
  auto job = std::make_unique<BlobJob>(client, cache, repo_id, commit, file,
                                       [this](BlobJob* ended) { Ended(ended); });
  BlobJob& started = *job;
  jobs_.emplace(key, std::move(job));
  started.Start(std::move(waiter));
}

void BlobFetcher::Leave(uint64_t id) {
  for (auto it = jobs_.begin(); it != jobs_.end(); ++it) {
    if (!it->second->Leave(id)) continue;
    if (!it->second->joinable()) {
      ending_.push_back(std::move(it->second));
      jobs_.erase(it);
    }
    return;
  }
  for (const auto& job : ending_) {
    if (job->Leave(id)) return;
  }
}

void BlobFetcher::Ended(BlobJob* job) {
  auto active = std::find_if(jobs_.begin(), jobs_.end(),
                             [job](const auto& entry) { return entry.second.get() == job; });
  if (active != jobs_.end()) {
    jobs_.erase(active);
    return;
  }
  std::erase_if(ending_, [job](const std::unique_ptr<BlobJob>& j) { return j.get() == job; });
}

void BlobFetcher::CloseAll() {
  closing_ = true;
  for (auto& [key, job] : jobs_) {
    job->Close(Cancelled("the puller is shutting down"));
    ending_.push_back(std::move(job));
  }
  jobs_.clear();
}

}  // namespace hfd::hub
