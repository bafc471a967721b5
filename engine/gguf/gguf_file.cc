#include "engine/gguf/gguf_file.h"

#include "engine/gguf/gguf_parser.h"
#include "engine/io/local_file_set.h"

namespace hfd::gguf {

Result<std::unique_ptr<GgufFile>> GgufFile::Open(const io::ModelFileSet& files,
                                                 std::string_view name) {
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<io::MappedFile> mapped, io::MappedFile::Open(files, name));
  std::unique_ptr<GgufFile> file(new GgufFile());
  const uint8_t* data = mapped->data();
  const uint64_t size = mapped->size();
  file->file_ = std::move(mapped);
  HFD_RETURN_IF_ERROR(GgufParser::Run(data, size, file.get()).WithContext(file->file_->label()));
  return file;
}

Result<std::unique_ptr<GgufFile>> GgufFile::Open(const std::filesystem::path& path) {
  HFD_ASSIGN_OR_RETURN(io::LocalFile local, io::OpenLocalFile(path));
  return Open(*local.files, local.name);
}

Result<std::unique_ptr<GgufFile>> GgufFile::Parse(const uint8_t* data, uint64_t size) {
  std::unique_ptr<GgufFile> file(new GgufFile());
  HFD_RETURN_IF_ERROR(GgufParser::Run(data, size, file.get()));
  return file;
}

const MetadataEntry* GgufFile::FindMetadata(std::string_view key) const {
  const auto it = metadata_index_.find(key);
  return it == metadata_index_.end() ? nullptr : &metadata_[it->second];
}

const TensorInfo* GgufFile::FindTensor(std::string_view name) const {
  const auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace hfd::gguf
