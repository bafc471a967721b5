// One memory-mapped .safetensors file with a validated header.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/io/mapped_file.h"
#include "engine/io/model_file_set.h"
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
  // Maps file `name` of `files` and validates its header.
  static Result<std::unique_ptr<SafetensorsFile>> Open(const io::ModelFileSet& files,
                                                       std::string_view name);

  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const Header& header() const { return header_; }
  // Its name in the file set, and how messages name it.
  const std::string& name() const { return name_; }
  const std::string& label() const { return file_->label(); }
  // Corrupt when the file was truncated while mapped (io::MappedFile::CheckIntact).
  Status CheckIntact() const { return file_->CheckIntact(); }
  // Null when the file has no tensor of that name.
  const HeaderEntry* Find(std::string_view name) const;
  Tensor Get(const HeaderEntry& entry) const;

 private:
  SafetensorsFile(std::string name, std::unique_ptr<io::MappedFile> file, Header header);

  std::string name_;
  std::unique_ptr<io::MappedFile> file_;
  Header header_;
  std::unordered_map<std::string_view, const HeaderEntry*> index_;  // views header_
};

}  // namespace hfd::safetensors
