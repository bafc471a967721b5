#include "hub/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace hfd::hub {

Result<std::optional<FileLock>> FileLock::TryAcquire(const SafeDir& dir, const std::string& name) {
  const std::filesystem::path path = dir.path() / name;
  HFD_ASSIGN_OR_RETURN(UniqueFd fd, dir.OpenFile(name, O_RDWR | O_CREAT, Links::kRefuse, 0644));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoError("cannot stat " + path.string(), errno);
  if (!S_ISREG(st.st_mode)) {
    return PermissionDenied("refusing the lock file " + path.string() +
                            ": it is not a regular file; remove it, then pull again");
  }
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return std::optional<FileLock>();
    if (errno != EINTR) return ErrnoError("cannot lock " + path.string(), errno);
  }
  return std::optional<FileLock>(FileLock(std::move(fd)));
}

}  // namespace hfd::hub
