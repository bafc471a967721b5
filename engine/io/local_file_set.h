// Model files on a local path, opened with the daemon's own rights and following links.
// Only for paths the daemon may open on a caller's behalf: the serving layer decides who
// may name one (root or the daemon's own user); tools and tests use it for their arguments.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "engine/io/model_file_set.h"
#include "hfd/status.h"

namespace hfd::io {

// The files below directory `dir`. Messages name files by their path.
Result<std::unique_ptr<ModelFileSet>> OpenLocalDirectory(const std::filesystem::path& dir);

// One file named by its path: the set of its directory, and its name in that set (the name
// the caller used, not a link's target). Its siblings stay reachable, as a split or a
// companion file needs them.
struct LocalFile {
  std::unique_ptr<ModelFileSet> files;
  std::string name;
};
Result<LocalFile> OpenLocalFile(const std::filesystem::path& path);

}  // namespace hfd::io
