#include "hub/path_safety.h"

#include <algorithm>
#include <string>

namespace hfd::hub {

Status ValidateRepoFilePath(std::string_view path) {
  const auto refuse = [&](std::string_view why) {
    return PermissionDenied("refusing repo file '" + std::string(path) + "': " + std::string(why) +
                            "; the Hub listing is malformed or malicious, nothing was written");
  };
  if (path.empty() || path.size() > 1024) return refuse("empty or longer than 1024 bytes");
  if (path.front() == '/') return refuse("absolute path");
  if (std::any_of(path.begin(), path.end(), [](char c) {
        return c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      })) {
    return refuse("backslash or control character");
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return refuse("'.', '..' or empty component");
    start = end + 1;
  }
  return Status::Ok();
}

}  // namespace hfd::hub
