#include "engine/io/passed_file_set.h"

#include <fcntl.h>

#include <cerrno>
#include <map>

#include "engine/io/file_checks.h"

namespace hfd::io {
namespace {

class PassedFileSet final : public ModelFileSet {
 public:
  PassedFileSet(std::map<std::string, UniqueFd, std::less<>> files, std::string description)
      : files_(std::move(files)), description_(std::move(description)) {}

  const std::string& description() const override { return description_; }

  std::string Label(std::string_view name) const override {
    return "'" + std::string(name) + "' (" + description_ + ")";
  }

  bool Has(std::string_view name) const override { return files_.find(name) != files_.end(); }

  Result<std::vector<std::string>> Names() const override {
    std::vector<std::string> names;
    for (const auto& [name, fd] : files_) names.push_back(name);
    return names;  // sorted: the map's order
  }

  Result<UniqueFd> Open(std::string_view name) const override {
    const auto it = files_.find(name);
    if (it == files_.end()) {
      return NotFound(Label(name) + " was not passed; send it with the request");
    }
    UniqueFd fd(::fcntl(it->second.get(), F_DUPFD_CLOEXEC, 0));
    if (!fd.valid()) return ErrnoError("cannot duplicate the descriptor of " + Label(name), errno);
    HFD_RETURN_IF_ERROR(internal::CheckReadableRegularFile(fd.get(), Label(name)));
    return fd;
  }

 private:
  std::map<std::string, UniqueFd, std::less<>> files_;
  std::string description_;
};

}  // namespace

Result<std::unique_ptr<ModelFileSet>> MakePassedFileSet(std::vector<NamedFd> files,
                                                        std::string description) {
  std::map<std::string, UniqueFd, std::less<>> by_name;
  for (NamedFd& file : files) {
    HFD_RETURN_IF_ERROR(internal::CheckName(file.name));
    if (!file.fd.valid()) {
      return InvalidArgument("the descriptor passed for '" + file.name + "' is not valid");
    }
    const std::string name = file.name;
    if (!by_name.emplace(std::move(file.name), std::move(file.fd)).second) {
      return InvalidArgument("'" + name + "' was passed twice; pass each file once");
    }
  }
  return std::unique_ptr<ModelFileSet>(
      new PassedFileSet(std::move(by_name), std::move(description)));
}

}  // namespace hfd::io
