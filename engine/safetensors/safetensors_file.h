// One memory-mapped .safetensors file with a validated header.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>
#include <unordered_map>

#include "engine/gguf/mapped_file.h"
#include "engine/safetensors/safetensors_header.h"

namespace hfd::safetensors {

// A tensor of an opened file; `data` points into the mapping (no copy).
struct Tensor {
  const HeaderEntry* entry;
  const uint8_t* data;
  uint64_t nbytes;
};

// Immutable after Open: safe to read from any thread. Pointers live as long as the file.
class SafetensorsFile {
 public:
  static Result<std::unique_ptr<SafetensorsFile>> Open(const std::filesystem::path& path);

  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const Header& header() const { return header_; }
  const std::filesystem::path& path() const { return file_->path(); }
  // Null when the file has no tensor of that name.
  const HeaderEntry* Find(std::string_view name) const;
  Tensor Get(const HeaderEntry& entry) const;

 private:
  SafetensorsFile(std::unique_ptr<MappedFile> file, Header header);

  std::unique_ptr<MappedFile> file_;
  Header header_;
  std::unordered_map<std::string_view, const HeaderEntry*> index_;  // views header_
};

}  // namespace hfd::safetensors
