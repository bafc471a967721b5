#include "hub/progress.h"

namespace hfd::hub {

const char* PhaseName(PullProgress::Phase phase) {
  switch (phase) {
    case PullProgress::Phase::kResolving:
      return "resolving";
    case PullProgress::Phase::kChecking:
      return "checking";
    case PullProgress::Phase::kDownloading:
      return "downloading";
    case PullProgress::Phase::kFileDone:
      return "file_done";
    case PullProgress::Phase::kDone:
      return "done";
    case PullProgress::Phase::kRetrying:
      return "retrying";
  }
  return "unknown";
}

ProgressTracker::ProgressTracker(ProgressFn fn, std::chrono::milliseconds interval)
    : fn_(std::move(fn)), interval_(interval), rate_mark_time_(std::chrono::steady_clock::now()) {}

void ProgressTracker::SetTotals(uint64_t total, size_t files_total, uint64_t already_present) {
  state_.total = total;
  state_.files_total = files_total;
  state_.bytes = already_present;
}

void ProgressTracker::Phase(PullProgress::Phase phase) {
  state_.phase = phase;
  Emit();
}

void ProgressTracker::StartFile(const std::string& file, uint64_t size, uint64_t present) {
  state_.phase = PullProgress::Phase::kDownloading;
  state_.file = file;
  state_.file_total = size;
  state_.file_bytes = present;
  state_.bytes += present;
  Emit();
}

void ProgressTracker::Retrying(const RetryNotice& notice) {
  state_.phase = PullProgress::Phase::kRetrying;
  state_.retry = notice;
  Emit();
}

void ProgressTracker::AddBytes(uint64_t n) {
  // Bytes flow again after a retry.
  if (state_.phase == PullProgress::Phase::kRetrying)
    state_.phase = PullProgress::Phase::kDownloading;
  state_.file_bytes += n;
  state_.bytes += n;
  transferred_ += n;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_emit_ >= interval_) {
    UpdateRate(now);
    Emit();
  }
}

void ProgressTracker::FinishFile() {
  // Bytes of a file found complete (e.g. another puller fetched it) count now.
  state_.bytes += state_.file_total - std::min(state_.file_bytes, state_.file_total);
  state_.file_bytes = state_.file_total;
  state_.phase = PullProgress::Phase::kFileDone;
  ++state_.files_done;
  UpdateRate(std::chrono::steady_clock::now());
  Emit();
}

void ProgressTracker::UpdateRate(std::chrono::steady_clock::time_point now) {
  const double seconds = std::chrono::duration<double>(now - rate_mark_time_).count();
  if (seconds < 0.25) return;
  const double recent = static_cast<double>(transferred_ - rate_mark_bytes_) / seconds;
  // Smooth so a bar's ETA does not jump around.
  state_.bytes_per_second =
      state_.bytes_per_second == 0 ? recent : 0.7 * recent + 0.3 * state_.bytes_per_second;
  rate_mark_time_ = now;
  rate_mark_bytes_ = transferred_;
}

void ProgressTracker::Emit() {
  last_emit_ = std::chrono::steady_clock::now();
  if (fn_) fn_(state_);
}

}  // namespace hfd::hub
