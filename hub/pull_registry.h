// The pulls a daemon is running or has recently finished, so a pull started with
// `--detach` can be watched (`hfctl pulls`) and stopped at shutdown. Thread-safe: pulling
// threads update their entry, the loop thread reads snapshots.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hfd/status.h"
#include "hub/progress.h"

namespace hfd::hub {

struct PullRecord {
  enum class State { kRunning, kDone, kFailed };
  uint64_t id = 0;
  std::string model;      // the reference as asked ("org/name@rev:Q4_K_M")
  bool detached = false;  // asked for in the background: goes on without clients
  size_t clients = 0;     // requests attached to it, waiting for its outcome
  State state = State::kRunning;
  PullProgress progress;
  Status error;  // when kFailed
  std::chrono::system_clock::time_point started;
  std::chrono::system_clock::time_point ended;  // when not kRunning
};

// "running", "done", "failed".
const char* PullStateName(PullRecord::State state);

class PullRegistry {
 public:
  // Remembers this many finished pulls (the most recent ones).
  explicit PullRegistry(size_t keep_finished = 16) : keep_finished_(keep_finished) {}

  // A running pull's handle: its id and the cancel flag CancelAll sets (detached pulls
  // pass it to Puller::Pull; attached ones use their request's flag).
  struct Ticket {
    uint64_t id = 0;
    std::shared_ptr<std::atomic<bool>> cancel;
  };
  Ticket Start(const std::string& model, bool detached);
  void Update(uint64_t id, const PullProgress& progress);
  // Who waits for pull `id` now: `clients` attached requests, and whether it was asked for
  // in the background.
  void SetAttached(uint64_t id, size_t clients, bool detached);
  void Finish(uint64_t id, const Status& outcome);

  // Running pulls first (oldest first), then finished ones (newest first).
  std::vector<PullRecord> Snapshot() const;
  bool AnyRunning() const;
  // Asks every running pull to stop (daemon shutdown); their partial files stay.
  void CancelAll();

 private:
  struct Entry {
    PullRecord record;
    std::shared_ptr<std::atomic<bool>> cancel;
  };
  Entry* Find(uint64_t id);

  const size_t keep_finished_;
  mutable std::mutex mu_;
  uint64_t next_id_ = 1;
  std::deque<Entry> running_;        // guarded by mu_
  std::deque<PullRecord> finished_;  // guarded by mu_, newest first
};

}  // namespace hfd::hub
