// A file a client opened with its own rights and passed with a request (SCM_RIGHTS; see
// docs/protocol.md, "Passing local files"). Free of libuv so the serving layer can use it.
#pragma once

#include <string>

#include "common/unique_fd.h"

namespace hfd::daemon {

struct PassedFile {
  // The client's name for it: a relative path inside the model ("config.json"), already
  // checked by proto::ValidateFileName. Only a label: nothing is opened by this name.
  std::string name;
  // Received O_CLOEXEC. The client opened it; it may be anything a descriptor can be
  // (FIFO, device, directory), so whoever reads it checks with fstat first.
  UniqueFd fd;
};

}  // namespace hfd::daemon
