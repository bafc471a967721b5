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
#pragma once

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

// A weight built in memory, in GGML order: where no derived folder is at hand.
struct OwnedWeight {
  TensorType type{};
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};

// Runs every tensor's `fill` into memory, by name.
Result<std::map<std::string, OwnedWeight>> BuildInMemory(const std::vector<DerivedTensor>& tensors);

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
// use (mode 0755), and neither it nor a file in it is ever reached through a symlink, since
// a shared cache may be writable by others. Immutable; OpenOrBuild may run from several
// threads and processes at once (each builds under its own temporary name; the last rename
// wins, and both files are whole).
class DerivedStore {
 public:
  DerivedStore(std::filesystem::path parent, std::string folder)
      : parent_(std::move(parent)), folder_(std::move(folder)) {}

  // Maps the file of `key` holding `tensors`, building it first when it is missing or is
  // not whole and current. A build that lacks the space says how many bytes it needs and
  // where; one that cannot write the folder names it. Nothing is left behind on failure.
  Result<std::unique_ptr<DerivedWeights>> OpenOrBuild(
      const DerivedKey& key, const std::vector<DerivedTensor>& tensors) const;

  std::filesystem::path dir() const { return parent_ / folder_; }

 private:
  std::filesystem::path parent_;
  std::string folder_;
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
  std::map<std::string, OwnedWeight, std::less<>> memory_;
  std::map<std::string, WeightView, std::less<>> memory_views_;
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

}  // namespace hfd::model
