// Progress reports of a pull, and the tracker that produces them at a bounded rate.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "hub/retry.h"

namespace hfd::hub {

struct PullProgress {
  enum class Phase { kResolving, kChecking, kDownloading, kFileDone, kDone, kRetrying };
  Phase phase = Phase::kResolving;
  std::string file;         // the file being downloaded (kDownloading, kFileDone)
  uint64_t file_bytes = 0;  // bytes of `file` present so far (resumed ones included)
  uint64_t file_total = 0;
  uint64_t bytes = 0;  // bytes present so far over all selected files
  uint64_t total = 0;  // total size of the selected files
  size_t files_done = 0;
  size_t files_total = 0;
  double bytes_per_second = 0;  // recent transfer rate
  RetryNotice retry;            // kRetrying: what failed and when it is tried again
};

// "resolving", "checking", "downloading", "file_done", "done", "retrying".
const char* PhaseName(PullProgress::Phase phase);

// Called on the pulling thread; must not block for long.
using ProgressFn = std::function<void(const PullProgress&)>;

// Accumulates byte counts and calls the ProgressFn at most every `interval` while bytes
// flow, and always on phase changes. Used by one pulling thread.
class ProgressTracker {
 public:
  ProgressTracker(ProgressFn fn,
                  std::chrono::milliseconds interval = std::chrono::milliseconds(100));

  void SetTotals(uint64_t total, size_t files_total, uint64_t already_present);
  void Phase(PullProgress::Phase phase);
  void StartFile(const std::string& file, uint64_t size, uint64_t present);
  void AddBytes(uint64_t n);
  // A request failed and is retried (kRetrying until bytes flow or the phase changes).
  void Retrying(const RetryNotice& notice);
  void FinishFile();

 private:
  void Emit();
  void UpdateRate(std::chrono::steady_clock::time_point now);

  ProgressFn fn_;
  std::chrono::milliseconds interval_;
  PullProgress state_;
  std::chrono::steady_clock::time_point last_emit_;
  std::chrono::steady_clock::time_point rate_mark_time_;
  uint64_t rate_mark_bytes_ = 0;
  uint64_t transferred_ = 0;
};

}  // namespace hfd::hub
