// GGUF metadata value types and the decoded forms of metadata and tensor descriptions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/quant/tensor_type.h"

namespace hfd::gguf {

// Type tags of GGUF metadata values, numbered as in the GGUF specification.
enum class ValueType : uint32_t {
  kU8 = 0,
  kI8 = 1,
  kU16 = 2,
  kI16 = 3,
  kU32 = 4,
  kI32 = 5,
  kF32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kU64 = 10,
  kI64 = 11,
  kF64 = 12,
};

// "u32", "string", ...; "type N" for tags outside the specification.
std::string ValueTypeName(ValueType type);

// One metadata key/value as validated in the file, not yet decoded. `payload` points into
// the file's bytes: a scalar's encoding, a string's bytes (no length prefix), or an
// array's elements (after its element type and count).
struct MetadataEntry {
  std::string key;
  ValueType type;
  ValueType elem_type;  // arrays only
  uint64_t count;       // arrays only: number of elements
  std::string_view payload;
};

// A fully decoded metadata value; arrays (nested ones included) hold their elements.
struct Value {
  ValueType type;
  std::variant<uint64_t, int64_t, double, bool, std::string, std::vector<Value>> data;
};

// A tensor as the file describes it; `data` points into the mapping (no copy).
struct TensorInfo {
  std::string name;
  TensorType type;
  std::vector<int64_t> shape;  // ne[0] = contiguous row length, GGML order
  uint64_t offset;             // from the start of the data section
  const uint8_t* data;
  uint64_t nbytes;
};

}  // namespace hfd::gguf
