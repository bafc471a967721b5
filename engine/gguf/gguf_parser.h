// Validating parser behind GgufFile::Open/Parse (internal to gguf/).
#pragma once

#include <memory>

#include "engine/gguf/byte_reader.h"
#include "engine/gguf/gguf_file.h"

namespace hfd::gguf {

inline constexpr uint32_t kGgufMagic = 0x46554747;  // "GGUF" read little-endian
inline constexpr uint64_t kDefaultAlignment = 32;
inline constexpr int kMaxDims = 4;
inline constexpr int kMaxArrayDepth = 8;  // nesting of arrays inside arrays

// Size in bytes of a fixed-size value type; 0 for strings and arrays (variable size) and
// for unknown tags.
uint64_t FixedValueSize(ValueType type);

class GgufParser {
 public:
  // Fills `out` (whose file_ may be set already) from `data`.
  static Status Run(const uint8_t* data, uint64_t size, GgufFile* out);

 private:
  GgufParser(const uint8_t* data, uint64_t size, GgufFile* out)
      : base_(data), size_(size), reader_(data, size), out_(out) {}

  Status ReadHeader(uint64_t* n_tensors, uint64_t* n_kv);
  Status ReadMetadata(uint64_t n_kv);
  Status SkipValue(ValueType type, int depth);
  Status SkipArrayElements(ValueType elem, uint64_t count, int depth);
  Status ReadTensorInfos(uint64_t n_tensors);
  Status ReadTensorInfo(TensorInfo* info);
  Status ResolveAlignment();
  Status PlaceTensorData();
  void BuildIndexes();

  const uint8_t* base_;
  uint64_t size_;
  ByteReader reader_;
  GgufFile* out_;
};

}  // namespace hfd::gguf
