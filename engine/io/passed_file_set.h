// Model files a client opened itself and passed over the socket (SCM_RIGHTS): the daemon
// reads them with the rights the client had, never its own.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "engine/io/model_file_set.h"
#include "hfd/status.h"

namespace hfd::io {

// A descriptor and the name the client gave it, relative to the model's folder.
struct NamedFd {
  std::string name;
  UniqueFd fd;
};

// A set over `files` (taken over). Open returns a duplicate of a passed descriptor, so one
// file may be opened any number of times; the duplicates share the client's file offset,
// which readers never use. `description` says whose files they are, for messages (e.g.
// "/home/ann/model, passed by the client"). InvalidArgument when a name is empty, absolute
// or given twice.
Result<std::unique_ptr<ModelFileSet>> MakePassedFileSet(std::vector<NamedFd> files,
                                                        std::string description);

}  // namespace hfd::io
