// Checks that a path taken from the Hub (a repo file name, a revision) stays inside the
// folder it is written to.
#pragma once

#include <filesystem>
#include <string_view>

#include "hfd/status.h"

namespace hfd::hub {

// A repo-relative file path is safe when it is relative, uses '/' separators, has no empty,
// '.' or '..' component, no backslash and no control character, and is at most 1024 bytes.
// The error names the file.
Status ValidateRepoFilePath(std::string_view path);

// Verifies that `path` (which may not exist yet) resolves inside `root` once the symlinks
// of its existing parent folders are followed. Both must be absolute.
Status CheckInside(const std::filesystem::path& root, const std::filesystem::path& path);

}  // namespace hfd::hub
