#include "engine/io/directory_listing.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <memory>

namespace hfd::io::internal {
namespace {

constexpr int kMaxDepth = 8;
constexpr size_t kMaxNames = 10'000;

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

// Entry types: d_type when the filesystem reports it, else an lstat-like fstatat.
unsigned char TypeOf(DIR* d, const dirent& e) {
  if (e.d_type != DT_UNKNOWN) return e.d_type;
  struct stat st {};
  if (::fstatat(::dirfd(d), e.d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) return DT_UNKNOWN;
  if (S_ISDIR(st.st_mode)) return DT_DIR;
  if (S_ISLNK(st.st_mode)) return DT_LNK;
  if (S_ISREG(st.st_mode)) return DT_REG;
  return DT_UNKNOWN;
}

Status Walk(UniqueFd dir, const std::string& prefix, int depth, std::string_view description,
            std::vector<std::string>& out) {
  if (depth > kMaxDepth) {
    return TooLarge(std::string(description) + " has folders nested deeper than " +
                    std::to_string(kMaxDepth) + " levels; is it a model's folder?");
  }
  std::unique_ptr<DIR, DirCloser> d(::fdopendir(dir.get()));
  if (d == nullptr) return ErrnoError("cannot list " + std::string(description), errno);
  dir.Release();  // the DIR owns it now
  for (;;) {
    errno = 0;
    const dirent* e = ::readdir(d.get());
    if (e == nullptr) break;
    if (e->d_name[0] == '.') continue;
    const unsigned char type = TypeOf(d.get(), *e);
    const std::string name = prefix + e->d_name;
    if (type == DT_REG || type == DT_LNK) {
      if (out.size() == kMaxNames) {
        return TooLarge(std::string(description) + " holds more than " + std::to_string(kMaxNames) +
                        " files; is it a model's folder?");
      }
      out.push_back(name);
    } else if (type == DT_DIR) {
      UniqueFd sub(
          ::openat(::dirfd(d.get()), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub.valid())
        return ErrnoError("cannot list " + name + " in " + std::string(description), errno);
      HFD_RETURN_IF_ERROR(Walk(std::move(sub), name + "/", depth + 1, description, out));
    }
  }
  if (errno != 0) return ErrnoError("cannot list " + std::string(description), errno);
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> ListFiles(UniqueFd dir, std::string_view description) {
  std::vector<std::string> names;
  HFD_RETURN_IF_ERROR(Walk(std::move(dir), "", 0, description, names));
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace hfd::io::internal
