#include "proto/passed_files.h"

#include <sys/socket.h>

#include <cstring>
#include <set>

namespace hfd::proto {
namespace {

Status BadName(std::string_view name, std::string_view why) {
  return InvalidArgument("file name '" + std::string(name.substr(0, 200)) + "' in '" + kFilesParam +
                         "' " + std::string(why) +
                         "; name each file by its relative path inside the model, such as "
                         "'config.json'");
}

}  // namespace

Status ValidateFileName(std::string_view name) {
  if (name.empty()) return BadName(name, "is empty");
  if (name.size() > kMaxFileNameBytes) {
    return BadName(name, "is longer than " + std::to_string(kMaxFileNameBytes) + " bytes");
  }
  if (name.find('\0') != std::string_view::npos) return BadName(name, "holds a NUL byte");
  if (name.front() == '/') return BadName(name, "is an absolute path");
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    const std::string_view component = name.substr(start, end - start);
    if (component.empty()) return BadName(name, "has an empty path component");
    if (component == "." || component == "..") {
      return BadName(name, "has a '" + std::string(component) + "' path component");
    }
    start = end + 1;
  }
  return Status::Ok();
}

Result<std::vector<std::string>> ParseFilesParam(const nlohmann::json& params) {
  std::vector<std::string> names;
  if (!params.is_object()) return names;
  const auto it = params.find(kFilesParam);
  if (it == params.end() || it->is_null()) return names;
  if (!it->is_array()) {
    return InvalidArgument(std::string("param '") + kFilesParam +
                           "' must be an array of file names");
  }
  if (it->size() > kMaxFilesPerRequest) {
    return InvalidArgument(std::string("param '") + kFilesParam + "' names " +
                           std::to_string(it->size()) + " files; a request may pass at most " +
                           std::to_string(kMaxFilesPerRequest));
  }
  std::set<std::string_view> seen;
  for (const nlohmann::json& item : *it) {
    if (!item.is_string()) {
      return InvalidArgument(std::string("param '") + kFilesParam +
                             "' must be an array of file names (strings)");
    }
    const std::string& name = item.get_ref<const std::string&>();
    HFD_RETURN_IF_ERROR(ValidateFileName(name));
    if (!seen.insert(name).second) return BadName(name, "is named twice");
    names.push_back(name);
  }
  return names;
}

ssize_t SendWithFds(int socket, std::string_view bytes, std::span<const int> fds) {
  iovec iov{const_cast<char*>(bytes.data()), bytes.size()};
  std::vector<char> control(CMSG_SPACE(fds.size() * sizeof(int)));
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (!fds.empty()) {
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(fds.size() * sizeof(int));
    std::memcpy(CMSG_DATA(c), fds.data(), fds.size() * sizeof(int));
  }
  return ::sendmsg(socket, &msg, MSG_NOSIGNAL);
}

}  // namespace hfd::proto
