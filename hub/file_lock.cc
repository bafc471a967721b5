#include "hub/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

namespace hfd::hub {

Result<FileLock> FileLock::Acquire(const SafeDir& dir, const std::string& name,
                                   const std::atomic<bool>* cancel) {
  const std::filesystem::path path = dir.path() / name;
  HFD_ASSIGN_OR_RETURN(UniqueFd fd, dir.OpenFile(name, O_RDWR | O_CREAT, Links::kRefuse, 0644));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat " + path.string(), errno);
  if (!S_ISREG(st.st_mode)) {
    return PermissionDenied("refusing the lock file " + path.string() +
                            ": it is not a regular file; remove it, then pull again");
  }
  FileLock lock(std::move(fd));
  auto delay = std::chrono::milliseconds(5);
  while (::flock(lock.fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return ErrnoError("cannot lock " + path.string(), errno);
    }
    if (cancel != nullptr && cancel->load()) {
      return Cancelled("cancelled while waiting for another download of the same file");
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(200));
  }
  return lock;
}

}  // namespace hfd::hub
