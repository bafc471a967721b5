// Tensor element types with GGML's numbering, as stored in GGUF files.
#pragma once

#include <cstdint>
#include <string_view>

#include "hfd/status.h"

namespace hfd {

// Values are GGML's type ids (ggml_type); they are what GGUF tensor infos store.
enum class TensorType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ8_1 = 9,
  kQ2_K = 10,
  kQ3_K = 11,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kQ8_K = 15,
  kIQ3_XXS = 18,
  kIQ4_NL = 20,
  kIQ3_S = 21,
  kIQ4_XS = 23,
  kBF16 = 30,
  kMXFP4 = 39,
};

// Storage layout of one type: `block_elems` values are packed into `block_bytes` bytes.
struct TypeTraits {
  std::string_view name;  // GGML's name: "F32", "Q4_K", ...
  int64_t block_elems;
  int64_t block_bytes;
};

// The layout of a supported type; an Unsupported error naming the type id otherwise.
Result<TypeTraits> GetTypeTraits(TensorType type);

// True when `type` is one of the enumerators above.
bool IsSupportedType(TensorType type);

// The type's name ("Q6_K"); GGML's name for a GGML type hfd cannot read ("IQ2_XXS"); or
// "type 99" for ids unknown to both.
std::string TypeName(TensorType type);

// Bytes taken by `n_elems` values of `type`; -1 when the type is unsupported, n_elems is
// negative or not a multiple of the type's block size, or the size overflows int64.
int64_t RowBytes(TensorType type, int64_t n_elems);

// Looks a type up by its GGML name (case-sensitive, "Q4_K"); NotFound otherwise.
Result<TensorType> TensorTypeFromName(std::string_view name);

}  // namespace hfd
