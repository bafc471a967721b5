// The files of one directory inside a tree that nothing may lead out of: the Hub cache.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "common/unique_fd.h"
#include "engine/io/model_file_set.h"
#include "hfd/status.h"

namespace hfd::io {

// Files of directory `dir` (relative, e.g. "snapshots/<commit>") beneath the tree `root`,
// each opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) from the root's
// descriptor: symbolic links are followed only while they stay beneath the root. With the
// Hub cache's repo folder (models--org--name) as the root, the snapshot links to
// ../../blobs/<sha> open, and a link that leads out of the repo folder is refused with an
// error naming it. `root_display` is the root's path, for messages.
//
// NotFound when `dir` does not exist beneath the root; Unsupported on a kernel without
// openat2 (before Linux 5.6): files are then never opened less safely.
Result<std::unique_ptr<ModelFileSet>> OpenBeneathRoot(UniqueFd root,
                                                      const std::string& root_display,
                                                      std::string dir);

// As above, opening `root` first; `root` itself must not be a symbolic link.
Result<std::unique_ptr<ModelFileSet>> OpenBeneathRoot(const std::filesystem::path& root,
                                                      std::string dir);

}  // namespace hfd::io
