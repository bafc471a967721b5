// Weights computed from a checkpoint's tensors at load (gpt-oss's MXFP4 experts repacked
// into GGUF's stacked layout; later other load-time repacks) kept as one file in a folder of
// hfd's cache, so that the first load builds it and every later load maps it: the weights
// stay file-backed page cache (counted and evictable like a mapped GGUF), not an anonymous
// copy.
//
// The file is named by its kind and a hash of everything it derives from (DerivedKey) and
// starts with a header that spells that key out with the tensor table; a file whose header
// or size differs from what this load expects (a changed source, a new layout version, a
// half-written or truncated file) is rebuilt, never used. It is written as every file hfd
// writes: a temporary file (space allocated up front), fsync, rename(2), fsync of the
// folder. The tensors' bytes are not checksummed: that would read the whole file at every
// load, which is what mapping it saves.
//
// Files are pruned, never edited: Prune removes those a rule calls stale (their sources were
// removed from the Hub cache; IsStale for the daemon's folder of local sources), and a build
// removes the files of its kind built from the same sources before (another layout version
// or choice of tensors), which no load asks for again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/io/huge_pages.h"
#include "engine/io/mapped_file.h"
#include "engine/io/model_file_set.h"
#include "engine/model/weights.h"
#include "engine/quant/tensor_type.h"
#include "hfd/status.h"

namespace hfd::model {

// One tensor of a derived file: what it is, and how to compute its bytes. `fill` gets a
// span of exactly `nbytes` (zeroed) and must write all of it; it may be called from the
// loading thread only, once per build.
struct DerivedTensor {
  std::string name;  // canonical (GGUF) name
  TensorType type{};
  std::vector<int64_t> shape;  // GGML order (shape[0] = row length)
  uint64_t nbytes = 0;
  std::function<Status(std::span<uint8_t>)> fill;
};

// What a derived file is computed from. A new `layout_version` (the bytes `fill` writes
// changed meaning) or a changed source rebuilds it.
struct DerivedKey {
  std::string kind;  // the file's name stem: letters, digits and '-' ("gpt-oss-experts")
  uint32_t layout_version = 0;
  std::vector<std::string> sources;  // SourceIdentity of every file it reads
};

// "name size mtime inode" of file `name` of `files`: changes when the file is replaced or
// rewritten. A Hub snapshot's file is its blob.
Result<std::string> SourceIdentity(const io::ModelFileSet& files, std::string_view name);

// One source as a derived file's header spells it (SourceIdentity).
struct DerivedSource {
  std::string name;
  uint64_t size = 0;
  std::string mtime;  // "seconds.nanoseconds"
  uint64_t inode = 0;
  friend bool operator==(const DerivedSource&, const DerivedSource&) = default;
};

// What a derived file says it was derived from (its header), for deciding to prune it.
struct DerivedFileInfo {
  std::filesystem::path path;
  std::string kind;
  std::string origin;  // the building store's origin; "" for a Hub repo folder's files
  std::vector<DerivedSource> sources;
  uint64_t bytes = 0;     // the file's size
  int64_t last_used = 0;  // unix seconds: its atime, set at each load through a store with an
                          // origin (relatime and noatime mounts do not keep it otherwise)
};

// How a build goes: the file, the bytes written so far and in all; called from the loading
// thread when the build starts and at each tenth written.
using BuildProgress =
    std::function<void(const std::filesystem::path& file, uint64_t written, uint64_t total)>;

struct PruneResult {
  size_t files = 0;
  uint64_t bytes = 0;
};

// Derived files of local sources unused this long are pruned when their sources cannot be
// checked (IsStale).
inline constexpr int64_t kUnverifiableUnusedSeconds = int64_t{30} * 24 * 3600;

// The rule for a folder of local sources' derived files, at unix time `now`: stale when its
// origin is an absolute folder and a source there (stat, following links as loading does) is
// gone or no longer has the size, mtime and inode it was built from; also when its sources
// cannot be checked (another origin, such as files a client passed, or a stat that fails
// otherwise than "gone") and it was not used for kUnverifiableUnusedSeconds.
bool IsStale(const DerivedFileInfo& file, int64_t now);

// Weights built in memory, in GGML order: where no derived folder is at hand. One block of
// memory (in 2 MiB pages where Linux gives them, io::HugePageMemory) holds them all, each
// at a 64-byte boundary; the views point into it.
struct InMemoryWeights {
  io::HugePageMemory memory;
  std::map<std::string, WeightView, std::less<>> views;
};

// Runs every tensor's `fill` into memory, by name.
Result<InMemoryWeights> BuildInMemory(const std::vector<DerivedTensor>& tensors);

// A derived file, mapped read-only. Immutable: views live as long as this object, and it may
// be read from any number of threads.
class DerivedWeights {
 public:
  // The tensor `name` as a view into the mapping; null data when there is no such tensor.
  const WeightView* Find(std::string_view name) const;
  // Canonical names of its tensors, sorted.
  std::vector<std::string> names() const;
  const std::filesystem::path& path() const { return path_; }
  // Corrupt when the file was truncated while mapped (io::MappedFile::CheckIntact).
  Status CheckIntact() const { return file_->CheckIntact(); }

 private:
  friend class DerivedStore;
  DerivedWeights(std::filesystem::path path, std::unique_ptr<io::MappedFile> file,
                 const std::vector<DerivedTensor>& tensors, const std::vector<uint64_t>& offsets);

  std::filesystem::path path_;
  std::unique_ptr<io::MappedFile> file_;
  std::map<std::string, WeightView, std::less<>> views_;
};

// The folder `parent`/`folder` where derived files are kept: `folder` is created on first
// use (mode 0755 less the umask), and neither it nor a file in it is ever reached through a
// symlink, since a shared cache may be writable by others. Immutable; OpenOrBuild and Prune
// may run from several threads and processes at once (each builds under its own temporary
// name; the last rename wins, and both files are whole).
//
// `origin` says where the sources of this store's keys are, in a folder that holds the
// derived files of many models (the daemon's folder for local paths): an absolute folder
// whose files the keys' sources name, or a description ("passed files …") when there is no
// path to check. It becomes part of every header, each load through the store marks the
// file used (atime), and a build prunes the folder's IsStale files. Empty (a Hub repo
// folder, which holds only its repo's files): none of that.
class DerivedStore {
 public:
  DerivedStore(std::filesystem::path parent, std::string folder, std::string origin = {})
      : parent_(std::move(parent)), folder_(std::move(folder)), origin_(std::move(origin)) {}

  // Maps the file of `key` holding `tensors`, building it first when it is missing or is
  // not whole and current; a build then removes the folder's files of the same kind, origin
  // and sources (superseded). A build that lacks the space says how many bytes it needs and
  // where; one that cannot write the folder names it. Nothing is left behind on failure.
  Result<std::unique_ptr<DerivedWeights>> OpenOrBuild(
      const DerivedKey& key, const std::vector<DerivedTensor>& tensors) const;

  // Removes the folder's derived files that `stale` calls stale, and temporary files no build
  // has written for a day (a build killed midway); a missing folder has nothing to prune. A
  // file whose header cannot be read as a derived file's is left alone.
  Result<PruneResult> Prune(const std::function<bool(const DerivedFileInfo&)>& stale) const;

  // This store, telling `progress` how each of its builds goes (a load shows it to its
  // client); the folder, origin and files are the same.
  DerivedStore WithProgress(BuildProgress progress) const;

  std::filesystem::path dir() const { return parent_ / folder_; }
  const std::string& origin() const { return origin_; }

 private:
  std::filesystem::path parent_;
  std::string folder_;
  std::string origin_;
  BuildProgress progress_;
};

// Derived tensors wherever DeriveWeights put them: a mapped file of a store, or memory.
// Immutable; views live as long as this object.
class DerivedViews {
 public:
  // The tensor `name`; null when there is no such tensor.
  const WeightView* Find(std::string_view name) const;
  // Canonical names of its tensors, sorted.
  std::vector<std::string> names() const;
  // The file's CheckIntact; OK in memory.
  Status CheckIntact() const;

 private:
  friend Result<std::unique_ptr<DerivedViews>> DeriveWeights(
      const DerivedStore* store, const DerivedKey& key, const std::vector<DerivedTensor>& tensors,
      std::string_view what);
  std::unique_ptr<DerivedWeights> file_;
  InMemoryWeights memory_;
};

// `tensors` from the file of `key` in `store` (OpenOrBuild), or, without a store, built in
// memory, logged with `what` (what they are, for the log line).
Result<std::unique_ptr<DerivedViews>> DeriveWeights(const DerivedStore* store,
                                                    const DerivedKey& key,
                                                    const std::vector<DerivedTensor>& tensors,
                                                    std::string_view what);

// What a model's derived weights are keyed by and kept in: the SourceIdentity of the files
// they derive from, and the store the model was opened with (none: memory). Copyable,
// immutable; needs no file after Of.
class DerivedOrigin {
 public:
  DerivedOrigin() = default;
  // Files `names` of `files`; `store` may be null.
  static Result<DerivedOrigin> Of(const io::ModelFileSet& files,
                                  const std::vector<std::string>& names, const DerivedStore* store);
  // DeriveWeights with these sources added to `key`; `what` says what the tensors are.
  Result<std::unique_ptr<DerivedViews>> Derive(DerivedKey key,
                                               const std::vector<DerivedTensor>& tensors,
                                               std::string_view what) const;

 private:
  std::optional<DerivedStore> store_;
  std::vector<std::string> sources_;
  std::string label_;  // the files, for the log
};

// `store`.Prune(IsStale at the current time).
Result<PruneResult> PruneStale(const DerivedStore& store);
// PruneStale, logging what it removed or why it could not (a failure to prune fails nothing).
void PruneStaleAndLog(const DerivedStore& store);

}  // namespace hfd::model
