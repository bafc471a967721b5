// The files of one model, whatever they come from: a Hub cache snapshot, a local directory
// named by a privileged caller, or descriptors a client passed over the socket. Every model
// reader in engine/ opens files only through this interface, so what a reader may open is
// decided once, by whoever builds the set, and never by a path inside a model's files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/unique_fd.h"
#include "hfd/status.h"

namespace hfd::io {

// Names are paths relative to the model's folder, '/'-separated ("config.json",
// "Q4_K_M/model-00001-of-00002.gguf"). Implementations are immutable after creation: every
// method may be called from any number of threads.
class ModelFileSet {
 public:
  virtual ~ModelFileSet() = default;

  // Where the files come from, for messages: a directory, or the files a client passed.
  virtual const std::string& description() const = 0;

  // How messages name file `name`: a path for a directory, or the name and its origin.
  virtual std::string Label(std::string_view name) const = 0;

  // True when the set has an entry `name`, even one that Open then refuses (a FIFO, a link
  // out of the Hub cache), so that readers report why instead of "missing".
  virtual bool Has(std::string_view name) const = 0;

  // The names of the set's files (and symbolic links), sorted. Hidden entries (".git",
  // ".cache") are left out.
  virtual Result<std::vector<std::string>> Names() const = 0;

  // A new read-only descriptor for `name`, checked to be a readable regular file: a FIFO,
  // socket, device or directory is refused with an error naming the file and what it is.
  // Descriptors of passed files share one file offset, so readers use pread or mmap only.
  virtual Result<UniqueFd> Open(std::string_view name) const = 0;
};

}  // namespace hfd::io
