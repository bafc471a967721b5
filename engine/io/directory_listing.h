// Lists the files below a directory descriptor without following links (internal to io/).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/unique_fd.h"
#include "hfd/status.h"

namespace hfd::io::internal {

// Relative names of the regular files and symbolic links below `dir` (taken over), sorted.
// Subdirectories are entered only when they are real directories, never through a link, so
// the walk stays inside `dir`; hidden entries are skipped. A tree deeper than 8 levels or
// with more than 10,000 names is refused as TooLarge: it is not a model's folder.
Result<std::vector<std::string>> ListFiles(UniqueFd dir, std::string_view description);

}  // namespace hfd::io::internal
