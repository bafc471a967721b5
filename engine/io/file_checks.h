// Checks shared by the ModelFileSet implementations (internal to io/).
#pragma once

#include <fcntl.h>

#include <string_view>

#include "hfd/status.h"

namespace hfd::io::internal {

// How every model file is opened: read-only; a FIFO opens without waiting for a writer (and
// is then refused by CheckReadableRegularFile); a terminal never becomes the daemon's
// controlling terminal.
inline constexpr int kReadFlags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

// A name is relative and non-empty, without NUL bytes.
Status CheckName(std::string_view name);

// `fd` is a regular file open for reading; otherwise an error that names `label` and says
// what it is (a FIFO, a socket, a device, a directory) or how it was opened.
Status CheckReadableRegularFile(int fd, std::string_view label);

// The Status for a failed open of `label` with errno `err`, in words that say what to do.
Status OpenError(int err, std::string_view label);

}  // namespace hfd::io::internal
