#include "hub/safe_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <random>

namespace hfd::hub {
namespace fs = std::filesystem;
namespace {

// Deeper trees than this are not walked: a planted tree must not exhaust the stack.
constexpr int kMaxDepth = 64;

Status Refuse(const fs::path& shown, const std::string& why) {
  return PermissionDenied("refusing " + shown.string() + ": " + why +
                          "; hfd follows no symlink inside the Hub cache (in a shared cache "
                          "another user may have planted it): remove it, then pull again");
}

std::string UniqueSuffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return ".tmp." + std::to_string(getpid()) + "." + std::to_string(rng() % 1000000000);
}

void ListInto(const SafeDir& dir, const std::string& prefix, int depth,
              std::vector<std::string>* out) {
  for (const std::string& name : dir.List()) {
    const std::optional<struct stat> st = dir.Lstat(name);
    if (!st) continue;
    if (!S_ISDIR(st->st_mode)) {
      out->push_back(prefix + name);
      continue;
    }
    if (depth >= kMaxDepth) continue;
    Result<SafeDir> sub = dir.OpenDir(name, false);
    if (sub.ok()) ListInto(*sub, prefix + name + "/", depth + 1, out);
  }
}

Status RemoveTreeAt(const SafeDir& dir, const std::string& name, int depth) {
  const std::optional<struct stat> st = dir.Lstat(name);
  if (!st) return Status::Ok();
  if (!S_ISDIR(st->st_mode)) return dir.Remove(name);
  if (depth >= kMaxDepth) {
    return IoError("cannot remove " + (dir.path() / name).string() +
                   ": it is nested too deeply; remove it by hand");
  }
  HFD_ASSIGN_OR_RETURN(SafeDir sub, dir.OpenDir(name, false));
  for (const std::string& child : sub.List()) {
    HFD_RETURN_IF_ERROR(RemoveTreeAt(sub, child, depth + 1));
  }
  if (::unlinkat(dir.fd(), name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
    return ErrnoError("cannot remove " + (dir.path() / name).string(), errno);
  }
  return Status::Ok();
}

// A temporary entry of a folder, removed on destruction unless it was renamed into place.
class TempEntry {
 public:
  TempEntry(const SafeDir& dir, std::string name) : dir_(dir), name_(std::move(name)) {}
  ~TempEntry() {
    if (!placed_) static_cast<void>(dir_.Remove(name_));  // best effort: the error is reported
  }
  TempEntry(const TempEntry&) = delete;
  TempEntry& operator=(const TempEntry&) = delete;

  Status MoveTo(const std::string& final_name) {
    HFD_RETURN_IF_ERROR(dir_.Rename(name_, final_name));
    placed_ = true;
    return Status::Ok();
  }

 private:
  const SafeDir& dir_;
  std::string name_;
  bool placed_ = false;
};

}  // namespace

Result<SafeDir> SafeDir::Open(const fs::path& path, bool create) {
  if (create) {
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec) return ErrnoError("cannot create " + path.string(), ec.value());
  }
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return NotFound(path.string() + " does not exist");
    return ErrnoError("cannot open the folder " + path.string(), errno);
  }
  return SafeDir(std::move(fd), path);
}

Result<SafeDir> SafeDir::OpenDir(std::string_view relative, bool create) const {
  int current = fd_.get();
  UniqueFd held;
  fs::path shown = path_;
  size_t start = 0;
  while (start <= relative.size()) {
    const size_t end = std::min(relative.find('/', start), relative.size());
    const std::string name(relative.substr(start, end - start));
    start = end + 1;
    shown /= name;
    if (name.empty() || name == "." || name == "..") {
      return InvalidArgument("cannot open the cache folder " + shown.string() +
                             ": '.', '..' or an empty name");
    }
    if (create && ::mkdirat(current, name.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoError("cannot create " + shown.string(), errno);
    }
    UniqueFd next(::openat(current, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) {
      const int err = errno;
      struct stat st {};
      const bool is_link =
          ::fstatat(current, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
      if (is_link) return Refuse(shown, "it is a symlink");
      if (err == ENOENT) return NotFound(shown.string() + " does not exist");
      if (err == ENOTDIR) return Refuse(shown, "it is not a folder");
      return ErrnoError("cannot open the folder " + shown.string(), err);
    }
    held = std::move(next);
    current = held.get();
  }
  return SafeDir(std::move(held), std::move(shown));
}

Result<UniqueFd> SafeDir::OpenFile(std::string_view relative, int flags, Links links,
                                   mode_t mode) const {
  const std::string name(relative);
  const fs::path shown = path_ / name;
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & O_CREAT) != 0 ? mode : 0;
  how.resolve =
      RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (links == Links::kRefuse ? RESOLVE_NO_SYMLINKS : 0);
  for (int attempt = 0;; ++attempt) {
    const long fd = ::syscall(SYS_openat2, fd_.get(), name.c_str(), &how, sizeof(how));
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    // EAGAIN: a rename raced with RESOLVE_BENEATH's check; the kernel asks for another try.
    if ((errno == EAGAIN || errno == EINTR) && attempt < 16) continue;
    break;
  }
  switch (errno) {
    case ENOENT:
      return NotFound(shown.string() + " does not exist");
    case ELOOP:
      if (links == Links::kRefuse) return Refuse(shown, "it is a symlink or passes through one");
      break;
    case EXDEV:
      return Refuse(shown, "it leads out of " + path_.string());
    case ENOSYS:
      return Unsupported(
          "this kernel has no openat2(2); hfd needs Linux 5.6 or newer to use the "
          "Hub cache safely");
    default:
      break;
  }
  return ErrnoError("cannot open " + shown.string(), errno);
}

std::optional<struct stat> SafeDir::Lstat(const std::string& name) const {
  struct stat st {};
  if (::fstatat(fd_.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return std::nullopt;
  return st;
}

Status SafeDir::Rename(const std::string& from, const std::string& to) const {
  if (::renameat(fd_.get(), from.c_str(), fd_.get(), to.c_str()) != 0) {
    return ErrnoError("cannot move " + (path_ / from).string() + " to " + to, errno);
  }
  return Status::Ok();
}

Status SafeDir::Remove(const std::string& name) const {
  if (::unlinkat(fd_.get(), name.c_str(), 0) != 0 && errno != ENOENT) {
    return ErrnoError("cannot remove " + (path_ / name).string() + " (remove it by hand)", errno);
  }
  return Status::Ok();
}

Status SafeDir::RemoveTree(const std::string& name) const { return RemoveTreeAt(*this, name, 0); }

std::vector<std::string> SafeDir::List() const {
  std::vector<std::string> names;
  // A new open file description: its read offset is not shared with other listings, and
  // fdopendir takes ownership of it.
  const int fd = ::openat(fd_.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return names;
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ::close(fd);
    return names;
  }
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> SafeDir::ListEntries() const {
  std::vector<std::string> out;
  ListInto(*this, "", 0, &out);
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::string> ReadRegularFile(int fd, size_t max_bytes, const fs::path& shown) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoError("cannot stat " + shown.string(), errno);
  if (!S_ISREG(st.st_mode)) {
    return Corrupt(shown.string() + " is not a regular file (a FIFO, device or folder); remove it");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return TooLarge(shown.string() + " is larger than " + std::to_string(max_bytes) +
                    " bytes; remove it");
  }
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("cannot read " + shown.string(), errno);
    if (n == 0) break;  // the file shrank while we read it
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

Status WriteFileAtomic(const SafeDir& dir, const std::string& name, const std::string& content) {
  const std::string tmp = "." + name + UniqueSuffix();
  HFD_ASSIGN_OR_RETURN(UniqueFd fd,
                       dir.OpenFile(tmp, O_WRONLY | O_CREAT | O_EXCL, Links::kRefuse, 0644));
  TempEntry entry(dir, tmp);
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("cannot write " + (dir.path() / tmp).string(), errno);
    done += static_cast<size_t>(n);
  }
  return entry.MoveTo(name);
}

Status SymlinkAtomic(const SafeDir& dir, const std::string& name, const std::string& target) {
  const std::string tmp = "." + name + UniqueSuffix();
  if (::symlinkat(target.c_str(), dir.fd(), tmp.c_str()) != 0) {
    return ErrnoError("cannot create the symlink " + (dir.path() / tmp).string(), errno);
  }
  TempEntry entry(dir, tmp);
  return entry.MoveTo(name);
}

}  // namespace hfd::hub
