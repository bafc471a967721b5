#include "hub/pull_registry.h"

#include <algorithm>

namespace hfd::hub {

const char* PullStateName(PullRecord::State state) {
  switch (state) {
    case PullRecord::State::kRunning:
      return "running";
    case PullRecord::State::kDone:
      return "done";
    case PullRecord::State::kFailed:
      return "failed";
  }
  return "running";
}

PullRegistry::Ticket PullRegistry::Start(const std::string& model, bool detached) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry entry;
  entry.record.id = next_id_++;
  entry.record.model = model;
  entry.record.detached = detached;
  entry.record.started = std::chrono::system_clock::now();
  entry.cancel = std::make_shared<std::atomic<bool>>(false);
  running_.push_back(entry);
  return Ticket{entry.record.id, entry.cancel};
}

PullRegistry::Entry* PullRegistry::Find(uint64_t id) {
  auto it = std::find_if(running_.begin(), running_.end(),
                         [id](const Entry& e) { return e.record.id == id; });
  return it == running_.end() ? nullptr : &*it;
}

void PullRegistry::Update(uint64_t id, const PullProgress& progress) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Entry* entry = Find(id)) entry->record.progress = progress;
}

void PullRegistry::SetAttached(uint64_t id, size_t clients, bool detached) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Entry* entry = Find(id)) {
    entry->record.clients = clients;
    entry->record.detached = detached;
  }
}

void PullRegistry::Finish(uint64_t id, const Status& outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = std::find_if(running_.begin(), running_.end(),
                         [id](const Entry& e) { return e.record.id == id; });
  if (it == running_.end()) return;
  PullRecord record = std::move(it->record);
  running_.erase(it);
  record.state = outcome.ok() ? PullRecord::State::kDone : PullRecord::State::kFailed;
  record.error = outcome;
  record.ended = std::chrono::system_clock::now();
  finished_.push_front(std::move(record));
  if (finished_.size() > keep_finished_) finished_.pop_back();
}

std::vector<PullRecord> PullRegistry::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<PullRecord> out;
  for (const Entry& e : running_) out.push_back(e.record);
  out.insert(out.end(), finished_.begin(), finished_.end());
  return out;
}

bool PullRegistry::AnyRunning() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !running_.empty();
}

void PullRegistry::CancelAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (Entry& e : running_) e.cancel->store(true);
}

}  // namespace hfd::hub
