// An exclusive flock(2) on a lock file, the same lock huggingface_hub's `filelock` takes on
// Unix (fcntl.flock), so a Python download and ours of the same blob wait for each other.
#pragma once

#include <optional>
#include <string>

#include "common/unique_fd.h"
#include "hfd/status.h"
#include "hub/safe_dir.h"

namespace hfd::hub {

// Owns the open lock file; the lock is released when destroyed. Move-only. flock locks
// belong to the open file, so two FileLocks in one process also exclude each other.
class FileLock {
 public:
  // Opens (creating) the lock file `name` in `dir`, refusing a symlink there, and takes
  // the lock unless someone holds it: nullopt then (the caller polls, so that waiting
  // occupies no thread).
  static Result<std::optional<FileLock>> TryAcquire(const SafeDir& dir, const std::string& name);

  FileLock(FileLock&&) noexcept = default;
  FileLock& operator=(FileLock&&) noexcept = default;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;  // closing the last descriptor releases the flock
};

}  // namespace hfd::hub
