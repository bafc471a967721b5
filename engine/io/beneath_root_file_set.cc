#include "engine/io/beneath_root_file_set.h"

#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "engine/io/directory_listing.h"
#include "engine/io/file_checks.h"

namespace hfd::io {
namespace {

// openat2 gives EAGAIN when a concurrent rename could have let a lookup escape; it is safe
// to try again, and a few tries are plenty.
constexpr int kAgainTries = 8;

// The descriptor, or -1 with errno set.
int OpenBeneath(int root, const std::string& path, uint64_t flags) {
  open_how how{};
  how.flags = flags;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd = -1;
  for (int i = 0; i < kAgainTries; ++i) {
    fd = ::syscall(SYS_openat2, root, path.c_str(), &how, sizeof(how));
    if (fd >= 0 || errno != EAGAIN) break;
  }
  return static_cast<int>(fd);
}

class BeneathRootFileSet final : public ModelFileSet {
 public:
  BeneathRootFileSet(UniqueFd root, std::string dir, std::string description)
      : root_(std::move(root)), dir_(std::move(dir)), description_(std::move(description)) {}

  const std::string& description() const override { return description_; }

  std::string Label(std::string_view name) const override {
    return description_ + "/" + std::string(name);
  }

  bool Has(std::string_view name) const override {
    if (!internal::CheckName(name).ok()) return false;
    const UniqueFd fd(OpenBeneath(root_.get(), PathOf(name), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    return fd.valid() || (errno != ENOENT && errno != ENOTDIR);
  }

  Result<std::vector<std::string>> Names() const override {
    UniqueFd dir(OpenBeneath(root_.get(), dir_, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) return internal::OpenError(errno, description_);
    return internal::ListFiles(std::move(dir), description_);
  }

  Result<UniqueFd> Open(std::string_view name) const override {
    HFD_RETURN_IF_ERROR(internal::CheckName(name));
    UniqueFd fd(OpenBeneath(root_.get(), PathOf(name), internal::kReadFlags));
    if (!fd.valid()) return internal::OpenError(errno, Label(name));
    HFD_RETURN_IF_ERROR(internal::CheckReadableRegularFile(fd.get(), Label(name)));
    return fd;
  }

 private:
  std::string PathOf(std::string_view name) const { return dir_ + "/" + std::string(name); }

  UniqueFd root_;
  std::string dir_;
  std::string description_;
};

}  // namespace

Result<std::unique_ptr<ModelFileSet>> OpenBeneathRoot(UniqueFd root,
                                                      const std::string& root_display,
                                                      std::string dir) {
  HFD_RETURN_IF_ERROR(internal::CheckName(dir));
  std::string description = root_display + "/" + dir;
  const UniqueFd probe(OpenBeneath(root.get(), dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!probe.valid()) return internal::OpenError(errno, description);
  return std::unique_ptr<ModelFileSet>(
      new BeneathRootFileSet(std::move(root), std::move(dir), std::move(description)));
}

Result<std::unique_ptr<ModelFileSet>> OpenBeneathRoot(const std::filesystem::path& root,
                                                      std::string dir) {
  UniqueFd fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return internal::OpenError(errno, root.string());
  return OpenBeneathRoot(std::move(fd), root.string(), std::move(dir));
}

}  // namespace hfd::io
