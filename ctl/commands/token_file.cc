#include "ctl/commands/token_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "hub/env.h"
#include "hub/token.h"

namespace hfd::ctl {

Result<std::filesystem::path> CallerTokenFile() {
  std::filesystem::path path = hub::TokenFilePath(hub::Env::Process());
  if (path.empty()) {
    return InvalidArgument(
        "cannot tell where the Hugging Face token file is: set HF_HOME or HOME (or "
        "HF_TOKEN_PATH)");
  }
  return path;
}

Status WriteTokenFile(const std::filesystem::path& path, const std::string& token) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return ErrnoError("cannot create " + path.parent_path().string(), ec.value());
  const std::filesystem::path temporary =
      path.parent_path() /
      ("." + path.filename().string() + ".hfctl-" + std::to_string(::getpid()));
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return ErrnoError("cannot create " + temporary.string(), errno);
  bool written = ::fchmod(fd, 0600) == 0;  // whatever the umask left
  for (size_t done = 0; written && done < token.size();) {
    const ssize_t n = ::write(fd, token.data() + done, token.size() - done);
    if (n < 0 && errno == EINTR) continue;
    written = n > 0;
    if (written) done += static_cast<size_t>(n);
  }
  written = written && ::fsync(fd) == 0;
  const int error = errno;
  ::close(fd);
  if (!written || ::rename(temporary.c_str(), path.c_str()) != 0) {
    const int failure = written ? errno : error;
    ::unlink(temporary.c_str());
    return ErrnoError("cannot write the token file " + path.string(), failure);
  }
  return Status::Ok();
}

std::string HfTokenNote() {
  if (!hub::Env::Process().Get("HF_TOKEN")) return "";
  return "note: HF_TOKEN is set in this environment; hfctl sends it instead of the token file";
}

}  // namespace hfd::ctl
