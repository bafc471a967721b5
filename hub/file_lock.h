// An exclusive flock(2) on a lock file, the same lock huggingface_hub's `filelock` takes on
// Unix (fcntl.flock), so a Python download and ours of the same blob wait for each other.
#pragma once

#include <atomic>
#include <filesystem>

#include "hfd/status.h"

namespace hfd::hub {

// Owns the open lock file; the lock is released when destroyed. Move-only. flock locks
// belong to the open file, so two FileLocks in one process also exclude each other.
class FileLock {
 public:
  // Waits until the lock is held, polling so that `cancel` (may be null) is honoured.
  static Result<FileLock> Acquire(const std::filesystem::path& path,
                                  const std::atomic<bool>* cancel);

  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace hfd::hub
