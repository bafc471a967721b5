// A read-only memory mapping of a whole model file (shared by the GGUF and safetensors
// readers).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/io/model_file_set.h"
#include "hfd/status.h"

namespace hfd::io {

// Owns the mapping; data() stays valid until the object is destroyed. Immutable after
// Open, so it may be read from any number of threads.
class MappedFile {
 public:
  // Opens `name` in `files` and maps it read-only; the descriptor is closed again (the
  // mapping keeps the file). An empty file is refused (there is nothing to read).
  static Result<std::unique_ptr<MappedFile>> Open(const ModelFileSet& files, std::string_view name);
  // The same for a descriptor already open for reading; `label` names it in messages.
  static Result<std::unique_ptr<MappedFile>> FromFd(const UniqueFd& fd, std::string label);

  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }
  // How messages name the file (ModelFileSet::Label).
  const std::string& label() const { return label_; }
  // OK, or Corrupt when the file was truncated while mapped and a read hit the missing
  // part (io::MappingGuard gave it zeros instead of a crash): what was computed from it
  // is wrong.
  Status CheckIntact() const;

 private:
  MappedFile(std::string label, const uint8_t* data, uint64_t size, int guard_slot)
      : label_(std::move(label)), data_(data), size_(size), guard_slot_(guard_slot) {}

  std::string label_;
  const uint8_t* data_;
  uint64_t size_;
  int guard_slot_;  // io::MappingGuard's, -1 when unguarded
};

}  // namespace hfd::io
