#include "engine/safetensors/safetensors_file.h"

namespace hfd::safetensors {

SafetensorsFile::SafetensorsFile(std::string name, std::unique_ptr<io::MappedFile> file,
                                 Header header)
    : name_(std::move(name)), file_(std::move(file)), header_(std::move(header)) {
  for (const HeaderEntry& e : header_.tensors) index_.emplace(e.name, &e);
}

Result<std::unique_ptr<SafetensorsFile>> SafetensorsFile::Open(const io::ModelFileSet& files,
                                                               std::string_view name) {
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<io::MappedFile> file, io::MappedFile::Open(files, name));
  auto header = ParseHeader(file->data(), file->size());
  if (!header.ok()) return header.status().WithContext(file->label());
  return std::unique_ptr<SafetensorsFile>(
      new SafetensorsFile(std::string(name), std::move(file), std::move(header).value()));
}

const HeaderEntry* SafetensorsFile::Find(std::string_view name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : it->second;
}

Tensor SafetensorsFile::Get(const HeaderEntry& entry) const {
  const uint8_t* buffer = file_->data() + 8 + header_.header_bytes;
  return {&entry, buffer + entry.begin, entry.end - entry.begin};
}

}  // namespace hfd::safetensors
