#include "serve/shared_pull.h"

#include <chrono>
#include <vector>

namespace hfd::serve {
namespace {

// How often a waiting client looks at its cancel flag.
constexpr auto kCancelPoll = std::chrono::milliseconds(50);

}  // namespace

// One attached request. Its own lock orders its progress reports against its detaching,
// so no report reaches it once it has left, and drops a report older than one it had (the
// latest report given at Attach may race with the next one published).
class SharedPull::Client {
 public:
  explicit Client(hub::ProgressFn progress) : progress_(std::move(progress)) {}

  void Report(const hub::PullProgress& p, uint64_t sequence) {
    std::lock_guard lock(mu_);
    if (!attached_ || sequence <= reported_) return;
    reported_ = sequence;
    if (progress_) progress_(p);
  }
  void Leave() {
    std::lock_guard lock(mu_);
    attached_ = false;
  }

 private:
  std::mutex mu_;
  bool attached_ = true;   // guarded by mu_
  uint64_t reported_ = 0;  // the sequence number of the last report; guarded by mu_
  const hub::ProgressFn progress_;
};

SharedPull::SharedPull(std::string model, hub::PullRegistry& registry,
                       hub::PullRegistry::Ticket ticket, bool detached, hub::ProgressFn meter)
    : model_(std::move(model)),
      registry_(registry),
      ticket_(std::move(ticket)),
      meter_(std::move(meter)),
      detached_(detached) {}

std::shared_ptr<SharedPull::Client> SharedPull::Attach(hub::ProgressFn progress) {
  auto client = std::make_shared<Client>(std::move(progress));
  std::optional<hub::PullProgress> latest;
  uint64_t sequence = 0;
  {
    std::lock_guard lock(mu_);
    if (outcome_ || stopping_) return nullptr;
    clients_.push_back(client);
    RecordAttachedLocked();
    latest = latest_;
    sequence = published_;
  }
  if (latest) client->Report(*latest, sequence);  // where the pull is, at once
  return client;
}

bool SharedPull::KeepInBackground() {
  std::lock_guard lock(mu_);
  if (outcome_ || stopping_) return false;
  detached_ = true;
  RecordAttachedLocked();
  return true;
}

void SharedPull::RecordAttachedLocked() {
  registry_.SetAttached(ticket_.id, clients_.size(), detached_);
}

void SharedPull::Publish(const hub::PullProgress& progress) {
  registry_.Update(ticket_.id, progress);
  if (meter_) meter_(progress);
  std::vector<std::shared_ptr<Client>> clients;
  uint64_t sequence = 0;
  {
    std::lock_guard lock(mu_);
    latest_ = progress;
    sequence = ++published_;
    clients.assign(clients_.begin(), clients_.end());
  }
  for (const auto& client : clients) client->Report(progress, sequence);
}

void SharedPull::Finish(Result<hub::PullResult> outcome) {
  registry_.Finish(ticket_.id, outcome.status());
  std::lock_guard lock(mu_);
  outcome_ = std::move(outcome);
  ended_.notify_all();
}

Result<hub::PullResult> SharedPull::Wait(const std::shared_ptr<Client>& client,
                                         const std::atomic<bool>* cancel) {
  {
    std::unique_lock lock(mu_);
    while (!outcome_) {
      if (cancel != nullptr && cancel->load()) break;
      ended_.wait_for(lock, kCancelPoll);
    }
    if (outcome_) {
      clients_.remove(client);
      client->Leave();
      return *outcome_;
    }
  }
  return Detach(client);
}

Status SharedPull::Detach(const std::shared_ptr<Client>& client) {
  client->Leave();
  std::lock_guard lock(mu_);
  clients_.remove(client);
  RecordAttachedLocked();
  const std::string again = "`hfctl pull " + model_ + "` attaches to it again";
  if (detached_) {
    return Cancelled("detached from the pull of " + model_ +
                     "; it goes on in the background (it was asked for with --detach; `hfctl "
                     "pulls` shows it); " +
                     again);
  }
  if (!clients_.empty()) {
    return Cancelled("detached from the pull of " + model_ + "; it goes on for " +
                     std::to_string(clients_.size()) + " other client(s); " + again);
  }
  stopping_ = true;
  ticket_.cancel->store(true);
  return Cancelled("pull of " + model_ +
                   " cancelled; the partial download is kept and `hfctl pull " + model_ +
                   "` resumes it");
}

}  // namespace hfd::serve
