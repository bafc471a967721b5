#include "engine/io/local_file_set.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "engine/io/directory_listing.h"
#include "engine/io/file_checks.h"

namespace hfd::io {
namespace {

class LocalFileSet final : public ModelFileSet {
 public:
  LocalFileSet(UniqueFd dir, std::filesystem::path path)
      : dir_(std::move(dir)), path_(std::move(path)), description_(path_.string()) {}

  const std::string& description() const override { return description_; }

  std::string Label(std::string_view name) const override { return (path_ / name).string(); }

  bool Has(std::string_view name) const override {
    if (!internal::CheckName(name).ok()) return false;
    struct stat st {};
    return ::fstatat(dir_.get(), std::string(name).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  }

  Result<std::vector<std::string>> Names() const override {
    // A descriptor of its own: directory reads move an offset that must not be shared.
    UniqueFd dir(::openat(dir_.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) return internal::OpenError(errno, description_);
    return internal::ListFiles(std::move(dir), description_);
  }

  Result<UniqueFd> Open(std::string_view name) const override {
    HFD_RETURN_IF_ERROR(internal::CheckName(name));
    UniqueFd fd(::openat(dir_.get(), std::string(name).c_str(), internal::kReadFlags));
    if (!fd.valid()) return internal::OpenError(errno, Label(name));
    HFD_RETURN_IF_ERROR(internal::CheckReadableRegularFile(fd.get(), Label(name)));
    return fd;
  }

 private:
  UniqueFd dir_;
  std::filesystem::path path_;
  std::string description_;
};

}  // namespace

Result<std::unique_ptr<ModelFileSet>> OpenLocalDirectory(const std::filesystem::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOTDIR) return InvalidArgument(dir.string() + " is not a directory");
    return internal::OpenError(errno, dir.string());
  }
  return std::unique_ptr<ModelFileSet>(new LocalFileSet(std::move(fd), dir));
}

Result<LocalFile> OpenLocalFile(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  if (name.empty() || name == "." || name == "..") {
    return InvalidArgument(path.string() + " does not name a file");
  }
  const std::filesystem::path parent = path.has_parent_path() ? path.parent_path() : ".";
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<ModelFileSet> files, OpenLocalDirectory(parent));
  return LocalFile{std::move(files), name};
}

}  // namespace hfd::io
