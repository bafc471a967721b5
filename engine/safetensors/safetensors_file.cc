#include "engine/safetensors/safetensors_file.h"

namespace hfd::safetensors {

SafetensorsFile::SafetensorsFile(std::unique_ptr<MappedFile> file, Header header)
    : file_(std::move(file)), header_(std::move(header)) {
  for (const HeaderEntry& e : header_.tensors) index_.emplace(e.name, &e);
}

Result<std::unique_ptr<SafetensorsFile>> SafetensorsFile::Open(const std::filesystem::path& path) {
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<MappedFile> file, MappedFile::Open(path));
  auto header = ParseHeader(file->data(), file->size());
  if (!header.ok()) return header.status().WithContext(path.string());
  return std::unique_ptr<SafetensorsFile>(
      new SafetensorsFile(std::move(file), std::move(header).value()));
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
