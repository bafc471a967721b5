// Reader for GGUF files (versions 2 and 3): metadata and tensor descriptions are parsed
// and validated when the file is opened; tensor data stays memory-mapped, never copied.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/gguf/gguf_types.h"
#include "engine/io/mapped_file.h"
#include "engine/io/model_file_set.h"
#include "hfd/status.h"

namespace hfd::gguf {

// An opened, validated GGUF file. Immutable after Open: safe to read from any thread.
// Every pointer and view it hands out lives as long as the GgufFile.
class GgufFile {
 public:
  // Maps and validates file `name` of `files`: every count, length and offset is checked
  // against the file size; tensor data ranges must be aligned, in bounds and
  // non-overlapping; tensor types hfd does not know are refused with an error naming the
  // type id.
  static Result<std::unique_ptr<GgufFile>> Open(const io::ModelFileSet& files,
                                                std::string_view name);
  // The same for a local path (tools and tests), read through io::OpenLocalFile.
  static Result<std::unique_ptr<GgufFile>> Open(const std::filesystem::path& path);

  // Same validation over bytes already in memory, which must outlive the result (used by
  // the fuzzer and tests).
  static Result<std::unique_ptr<GgufFile>> Parse(const uint8_t* data, uint64_t size);

  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;

  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }  // start of the tensor data section

  // Metadata, in file order.
  const std::vector<MetadataEntry>& metadata() const { return metadata_; }
  const MetadataEntry* FindMetadata(std::string_view key) const;
  bool Has(std::string_view key) const { return FindMetadata(key) != nullptr; }

  // Typed getters: NotFound when the key is absent; InvalidArgument naming the stored type
  // when it does not convert. Integers convert between widths when the value fits.
  Result<std::string> GetString(std::string_view key) const;
  Result<uint32_t> GetU32(std::string_view key) const;
  Result<uint64_t> GetU64(std::string_view key) const;
  Result<int64_t> GetI64(std::string_view key) const;
  Result<float> GetF32(std::string_view key) const;  // f32, f64 or an integer
  Result<bool> GetBool(std::string_view key) const;
  Result<std::vector<std::string>> GetStringArray(std::string_view key) const;
  // Views into the mapping: no copies, valid while this file lives.
  Result<std::vector<std::string_view>> GetStringViewArray(std::string_view key) const;
  Result<std::vector<float>> GetF32Array(std::string_view key) const;
  Result<std::vector<int32_t>> GetI32Array(std::string_view key) const;
  // Any value, arrays of arrays included, decoded into a tree.
  Result<Value> GetValue(std::string_view key) const;

  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  // Corrupt when the file was truncated while mapped (io::MappedFile::CheckIntact).
  Status CheckIntact() const { return file_ ? file_->CheckIntact() : Status::Ok(); }
  const TensorInfo* FindTensor(std::string_view name) const;

 private:
  friend class GgufParser;
  GgufFile() = default;

  std::unique_ptr<io::MappedFile> file_;  // null when parsed from caller-owned memory
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  std::vector<MetadataEntry> metadata_;
  std::vector<TensorInfo> tensors_;
  std::unordered_map<std::string_view, size_t> metadata_index_;  // keys view metadata_
  std::unordered_map<std::string_view, size_t> tensor_index_;    // keys view tensors_
};

}  // namespace hfd::gguf
