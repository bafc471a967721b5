// A read-only memory mapping of a whole file (shared by the GGUF and safetensors readers).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "hfd/status.h"

namespace hfd {

// Owns the mapping; data() stays valid until the object is destroyed. Immutable after
// Open, so it may be read from any number of threads.
class MappedFile {
 public:
  // Maps `path` read-only. An empty file is refused (there is nothing to read).
  static Result<std::unique_ptr<MappedFile>> Open(const std::filesystem::path& path);

  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  MappedFile(std::filesystem::path path, const uint8_t* data, uint64_t size)
      : path_(std::move(path)), data_(data), size_(size) {}

  std::filesystem::path path_;
  const uint8_t* data_;
  uint64_t size_;
};

}  // namespace hfd
