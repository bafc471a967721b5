// Checks that a repo file name taken from the Hub stays inside the folder it is written to.
#pragma once

#include <string_view>

#include "hfd/status.h"

namespace hfd::hub {

// A repo-relative file path is safe when it is relative, uses '/' separators, has no empty,
// '.' or '..' component, no backslash and no control character, and is at most 1024 bytes.
// The error names the file.
Status ValidateRepoFilePath(std::string_view path);

}  // namespace hfd::hub
