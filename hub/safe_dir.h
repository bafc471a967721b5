// A folder held open by descriptor, and the file operations beneath it that the cache
// needs. A shared cache may be writable by other local users, so a symlink or hard link they
// plant must never redirect what hfd writes, or reads, to a place outside the cache: every
// name is resolved relative to the descriptor with openat(2)/openat2(2), never as a path.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/unique_fd.h"
#include "hfd/status.h"

namespace hfd::hub {

// How a path beneath a SafeDir may use symlinks.
enum class Links {
  kRefuse,        // no component may be a symlink (refs, blobs, locks, partial files)
  kFollowInside,  // symlinks are followed while they stay beneath (snapshot -> ../../blobs)
};

// Owns the descriptor; move-only. The methods are const and may be called from several
// threads. `path()` is used only in messages.
class SafeDir {
 public:
  // Opens the folder at `path`, creating it and its parents when `create`. Symlinks in
  // `path` itself are followed: where the cache lives is the admin's choice.
  static Result<SafeDir> Open(const std::filesystem::path& path, bool create);

  // Opens the folder `relative` ('/'-separated) beneath this one, component by component,
  // creating missing ones (mode 0755) when `create`. A component that is a symlink or not a
  // folder is refused with an error that names it and says to remove it; one that is
  // missing (and not created) is NotFound.
  Result<SafeDir> OpenDir(std::string_view relative, bool create) const;

  // openat2(2) of `relative` beneath this folder with `flags` (O_CLOEXEC added; with
  // O_CREAT, `mode`). Nothing it resolves may lead out of this folder; with Links::kRefuse
  // no component may be a symlink. Errors name the path; a missing file is NotFound.
  Result<UniqueFd> OpenFile(std::string_view relative, int flags, Links links,
                            mode_t mode = 0644) const;

  // lstat(2) of the entry `name` in this folder; nullopt when there is none.
  std::optional<struct stat> Lstat(const std::string& name) const;

  // renameat(2) within this folder (replaces `to`, a symlink there included, not its target).
  Status Rename(const std::string& from, const std::string& to) const;
  // Removes the entry `name` (a file or a symlink, never what it points at); absent is OK.
  Status Remove(const std::string& name) const;
  // Removes the entry `name` and, when it is a folder, everything in it, without following
  // any symlink; absent is OK.
  Status RemoveTree(const std::string& name) const;

  // The names of this folder's entries (without "." and ".."), sorted; empty when it cannot
  // be read.
  std::vector<std::string> List() const;
  // Paths, relative to this folder, of the entries beneath it that are not folders (files
  // and symlinks), descending only into real folders. Sorted.
  std::vector<std::string> ListEntries() const;

  int fd() const { return fd_.get(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  SafeDir(UniqueFd fd, std::filesystem::path path) : fd_(std::move(fd)), path_(std::move(path)) {}

  UniqueFd fd_;
  std::filesystem::path path_;
};

// The content of the regular file open at `fd`, refusing anything else (a FIFO, a device)
// and anything over `max_bytes`. `shown` names the file in errors.
Result<std::string> ReadRegularFile(int fd, size_t max_bytes, const std::filesystem::path& shown);

// Writes `content` to `name` in `dir` through a new temporary file (O_EXCL, no symlink
// followed) and rename(2); the temporary file is removed on every failure.
Status WriteFileAtomic(const SafeDir& dir, const std::string& name, const std::string& content);

// Points `name` in `dir` at `target` with a new symlink under a temporary name and rename(2),
// removing the temporary link on failure.
Status SymlinkAtomic(const SafeDir& dir, const std::string& name, const std::string& target);

}  // namespace hfd::hub
