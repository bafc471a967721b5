#include "engine/io/file_checks.h"

#include <sys/stat.h>

#include <cerrno>
#include <string>

namespace hfd::io::internal {
namespace {

std::string_view KindOf(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

}  // namespace

Status CheckName(std::string_view name) {
  if (name.empty()) return InvalidArgument("a model file name is empty");
  if (name.front() == '/') {
    return InvalidArgument("model file name '" + std::string(name) +
                           "' is absolute; name files relative to the model's folder");
  }
  if (name.find('\0') != std::string_view::npos) {
    return InvalidArgument("a model file name contains a NUL byte");
  }
  return Status::Ok();
}

Status CheckReadableRegularFile(int fd, std::string_view label) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoError("cannot stat " + std::string(label), errno);
  if (!S_ISREG(st.st_mode)) {
    return InvalidArgument(std::string(label) + " is " + std::string(KindOf(st.st_mode)) +
                           ", not a regular file; model files must be regular files");
  }
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return ErrnoError("cannot inspect " + std::string(label), errno);
  if ((flags & O_PATH) == O_PATH || (flags & O_ACCMODE) == O_WRONLY) {
    return InvalidArgument(std::string(label) +
                           " is not open for reading; pass a descriptor opened with O_RDONLY");
  }
  return Status::Ok();
}

Status OpenError(int err, std::string_view label) {
  const std::string l(label);
  switch (err) {
    case ENOENT:
      return NotFound(l + " does not exist");
    case EXDEV:
      return PermissionDenied(
          l +
          " leads outside the model's folder (a symbolic link or '..' out of "
          "it); hfd does not follow it: remove the link or pull the model again");
    case ELOOP:
      return PermissionDenied(l +
                              " is a loop or chain of symbolic links, or a /proc link; hfd does "
                              "not follow it: replace it with the file itself");
    case ENXIO:
      return InvalidArgument(l +
                             " is a socket or a device, not a regular file; model files must "
                             "be regular files");
    case ENOSYS:
      return Unsupported("cannot open " + l +
                         ": this kernel lacks openat2 (Linux 5.6 or later is needed); hfd does "
                         "not open Hub cache files without it, since a link could lead out of "
                         "the cache");
    default:
      return ErrnoError("cannot open " + l, err);
  }
}

}  // namespace hfd::io::internal
