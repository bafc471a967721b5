// The JSON header of a safetensors file, parsed and validated against the size of the
// data that follows it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/quant/tensor_type.h"
#include "hfd/status.h"

namespace hfd::safetensors {

// One tensor entry of the header. Offsets are relative to the start of the data buffer
// (the bytes after the header).
struct HeaderEntry {
  std::string name;
  std::string dtype;  // as written: "BF16", "F32", "I64", ...
  bool supported;     // F32, F16 or BF16: `type` is meaningful
  TensorType type;
  std::vector<int64_t> shape;  // row-major as stored (HF order: shape.back() = row length)
  uint64_t begin;
  uint64_t end;
};

struct Header {
  uint64_t header_bytes;  // the JSON's length (the data buffer starts at 8 + this)
  std::vector<HeaderEntry> tensors;
  std::map<std::string, std::string> metadata;  // "__metadata__"
};

// Upper bound on the JSON header; the reference implementation uses the same 100 MB.
inline constexpr uint64_t kMaxHeaderBytes = 100u << 20;

// Parses the 8-byte length and JSON header at the start of a file of `size` bytes and
// checks every entry: known dtype, shape and byte range consistent, ranges inside the
// data buffer and not overlapping. Never throws.
Result<Header> ParseHeader(const uint8_t* data, uint64_t size);

}  // namespace hfd::safetensors
