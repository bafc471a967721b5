#include "ctl/repl/history_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hfd::ctl {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

}  // namespace

Result<std::filesystem::path> ChatHistoryPath(const char* xdg_state_home, const char* home) {
  std::filesystem::path state;
  if (xdg_state_home != nullptr && xdg_state_home[0] == '/') {
    state = xdg_state_home;
  } else if (home != nullptr && home[0] == '/') {
    state = std::filesystem::path(home) / ".local" / "state";
  } else {
    return NotFound(
        "no place for the chat history: set HOME or XDG_STATE_HOME to an absolute folder");
  }
  return state / "hfd" / "chat_history";
}

Status MakePrivateFolders(const std::filesystem::path& file) {
  std::filesystem::path folder;
  for (const auto& part : file.parent_path()) {
    folder /= part;
    if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST) {
      return IoError("cannot create " + folder.string() + ": " + ErrnoText());
    }
  }
  return Status::Ok();
}

Result<UniqueFile> OpenPrivateForWriting(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot write " + file.string() + ": " + ErrnoText());
  if (::fchmod(fd, 0600) != 0) {
    const std::string why = ErrnoText();
    ::close(fd);
    return IoError("cannot make " + file.string() + " private: " + why);
  }
  std::FILE* f = ::fdopen(fd, "w");
  if (f == nullptr) {
    ::close(fd);
    return IoError("cannot write " + file.string() + ": " + ErrnoText());
  }
  return UniqueFile(f);
}

}  // namespace hfd::ctl
