#include "engine/quant/tensor_type.h"

#include <array>
#include <limits>
#include <string>

#include "engine/quant/blocks.h"

namespace hfd {
namespace {

struct TypeEntry {
  TensorType type;
  TypeTraits traits;
};

constexpr std::array<TypeEntry, 15> kTypes = {{
    {TensorType::kF32, {"F32", 1, 4}},
    {TensorType::kF16, {"F16", 1, 2}},
    {TensorType::kQ4_0, {"Q4_0", kQK, sizeof(BlockQ4_0)}},
    {TensorType::kQ4_1, {"Q4_1", kQK, sizeof(BlockQ4_1)}},
    {TensorType::kQ5_0, {"Q5_0", kQK, sizeof(BlockQ5_0)}},
    {TensorType::kQ5_1, {"Q5_1", kQK, sizeof(BlockQ5_1)}},
    {TensorType::kQ8_0, {"Q8_0", kQK, sizeof(BlockQ8_0)}},
    {TensorType::kQ8_1, {"Q8_1", kQK, sizeof(BlockQ8_1)}},
    {TensorType::kQ2_K, {"Q2_K", kQKK, sizeof(BlockQ2_K)}},
    {TensorType::kQ3_K, {"Q3_K", kQKK, sizeof(BlockQ3_K)}},
    {TensorType::kQ4_K, {"Q4_K", kQKK, sizeof(BlockQ4_K)}},
    {TensorType::kQ5_K, {"Q5_K", kQKK, sizeof(BlockQ5_K)}},
    {TensorType::kQ6_K, {"Q6_K", kQKK, sizeof(BlockQ6_K)}},
    {TensorType::kQ8_K, {"Q8_K", kQKK, sizeof(BlockQ8_K)}},
    {TensorType::kBF16, {"BF16", 1, 2}},
}};

const TypeTraits* FindTraits(TensorType type) {
  for (const TypeEntry& e : kTypes) {
    if (e.type == type) return &e.traits;
  }
  return nullptr;
}

}  // namespace

Result<TypeTraits> GetTypeTraits(TensorType type) {
  if (const TypeTraits* t = FindTraits(type)) return *t;
  return Unsupported("tensor type id " + std::to_string(static_cast<uint32_t>(type)) +
                     " is not supported (hfd reads F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, "
                     "Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K); re-quantize the "
                     "model to one of these");
}

bool IsSupportedType(TensorType type) { return FindTraits(type) != nullptr; }

std::string TypeName(TensorType type) {
  if (const TypeTraits* t = FindTraits(type)) return std::string(t->name);
  return "type " + std::to_string(static_cast<uint32_t>(type));
}

int64_t RowBytes(TensorType type, int64_t n_elems) {
  const TypeTraits* t = FindTraits(type);
  if (t == nullptr || n_elems < 0 || n_elems % t->block_elems != 0) return -1;
  const int64_t blocks = n_elems / t->block_elems;
  if (blocks > std::numeric_limits<int64_t>::max() / t->block_bytes) return -1;
  return blocks * t->block_bytes;
}

Result<TensorType> TensorTypeFromName(std::string_view name) {
  for (const TypeEntry& e : kTypes) {
    if (e.traits.name == name) return e.type;
  }
  return NotFound("unknown tensor type name '" + std::string(name) + "'");
}

}  // namespace hfd
