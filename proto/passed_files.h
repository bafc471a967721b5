// Descriptors passed with a request (docs/protocol.md, "Passing local files"): the `files`
// param that names them, and the limits both ends apply.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hfd/status.h"

namespace hfd::proto {

// The request param listing the names of the descriptors sent with the request.
inline constexpr const char* kFilesParam = "files";
// Descriptors one sendmsg may carry: the daemon's control buffer holds no more, and a
// truncated control message closes the connection.
inline constexpr std::size_t kMaxFdsPerSendmsg = 64;
// Descriptors one request may pass; also the most a connection may hold unclaimed.
inline constexpr std::size_t kMaxFilesPerRequest = 256;
inline constexpr std::size_t kMaxFileNameBytes = 1024;

// A name a descriptor travels under: a relative path inside the model ("config.json",
// "model-00001-of-00002.safetensors"), at most kMaxFileNameBytes, with no leading '/', no
// empty, "." or ".." component and no NUL byte. InvalidArgument naming the problem.
Status ValidateFileName(std::string_view name);

// The names in params["files"]: an array of at most kMaxFilesPerRequest distinct valid
// names. Empty when the param is absent or nil.
Result<std::vector<std::string>> ParseFilesParam(const nlohmann::json& params);

// One sendmsg on `socket` of `bytes` with `fds` (at most kMaxFdsPerSendmsg) as SCM_RIGHTS
// data, MSG_NOSIGNAL: the bytes sent (the descriptors went with the first), or -1 with
// errno set.
ssize_t SendWithFds(int socket, std::string_view bytes, std::span<const int> fds);

}  // namespace hfd::proto
