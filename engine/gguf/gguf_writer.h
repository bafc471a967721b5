// Writes GGUF v3 files: used by tests to build edge-case and malformed files and by
// benches to write synthetic models of real shapes. Not thread-safe; one writer per file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/gguf/gguf_types.h"
#include "hfd/status.h"

namespace hfd::gguf {

class GgufWriter {
 public:
  // Produces a tensor's bytes into `dst` (exactly `nbytes`) when the file is written, so
  // large synthetic models never sit in memory whole.
  using Filler = std::function<Status(uint8_t* dst, uint64_t nbytes)>;

  void SetVersion(uint32_t version) { version_ = version; }
  // Also written as general.alignment when it differs from the default 32.
  void SetAlignment(uint32_t alignment) { alignment_ = alignment; }

  void AddU8(std::string_view key, uint8_t v);
  void AddI32(std::string_view key, int32_t v);
  void AddU32(std::string_view key, uint32_t v);
  void AddU64(std::string_view key, uint64_t v);
  void AddF32(std::string_view key, float v);
  void AddF64(std::string_view key, double v);
  void AddBool(std::string_view key, bool v);
  void AddString(std::string_view key, std::string_view v);
  void AddStringArray(std::string_view key, const std::vector<std::string>& v);
  void AddF32Array(std::string_view key, const std::vector<float>& v);
  void AddI32Array(std::string_view key, const std::vector<int32_t>& v);
  // Raw value bytes after the key: type tag and encoding supplied by the caller (for
  // nested arrays and deliberately malformed values).
  void AddRaw(std::string_view key, ValueType type, std::string encoded);
  // Key `e` of another file, its value as that file holds it.
  void AddCopy(const MetadataEntry& e);
  // `e`'s value bytes as AddRaw takes them.
  static std::string EncodeEntry(const MetadataEntry& e);

  // A tensor with its bytes given now; `shape` in GGML order (shape[0] = row length).
  void AddTensor(std::string_view name, TensorType type, std::vector<int64_t> shape,
                 std::vector<uint8_t> data);
  // A tensor whose bytes `fill` produces at write time.
  void AddTensor(std::string_view name, TensorType type, std::vector<int64_t> shape, Filler fill);

  // The whole file in memory (for small test files).
  Result<std::string> Serialize() const;
  // Streams the file to `path` (written to a temporary name, then renamed).
  Status Write(const std::filesystem::path& path) const;

  // Encoding helpers for AddRaw.
  static std::string EncodeString(std::string_view s);
  static std::string EncodeU32(uint32_t v);
  static std::string EncodeU64(uint64_t v);

 private:
  struct PendingTensor {
    std::string name;
    TensorType type;
    std::vector<int64_t> shape;
    Filler fill;
  };
  struct PendingKv {
    std::string key;
    ValueType type;
    std::string encoded;
  };

  Result<std::string> Header(std::vector<uint64_t>* sizes) const;
  Status Emit(const std::function<Status(std::string_view)>& sink) const;
  void AddKv(std::string_view key, ValueType type, std::string encoded);

  uint32_t version_ = 3;
  uint32_t alignment_ = 32;
  std::vector<PendingKv> kvs_;
  std::vector<PendingTensor> tensors_;
};

}  // namespace hfd::gguf
