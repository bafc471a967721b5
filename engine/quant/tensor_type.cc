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

constexpr std::array<TypeEntry, 20> kTypes = {{
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
    {TensorType::kIQ3_XXS, {"IQ3_XXS", kQKK, sizeof(BlockIQ3_XXS)}},
    {TensorType::kIQ4_NL, {"IQ4_NL", kQK, sizeof(BlockIQ4_NL)}},
    {TensorType::kIQ3_S, {"IQ3_S", kQKK, sizeof(BlockIQ3_S)}},
    {TensorType::kIQ4_XS, {"IQ4_XS", kQKK, sizeof(BlockIQ4_XS)}},
    {TensorType::kBF16, {"BF16", 1, 2}},
    {TensorType::kMXFP4, {"MXFP4", kQK, sizeof(BlockMXFP4)}},
}};

// GGML types hfd does not read, named so that a refusal says which one a file holds.
struct UnreadableType {
  uint32_t id;
  std::string_view name;
};
constexpr std::array<UnreadableType, 12> kUnreadable = {{
    {16, "IQ2_XXS"},
    {17, "IQ2_XS"},
    {19, "IQ1_S"},
    {22, "IQ2_S"},
    {24, "I8"},
    {25, "I16"},
    {26, "I32"},
    {27, "I64"},
    {28, "F64"},
    {29, "IQ1_M"},
    {34, "TQ1_0"},
    {35, "TQ2_0"},
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
  const auto id = static_cast<uint32_t>(type);
  std::string known;
  for (const UnreadableType& u : kUnreadable) {
    if (u.id == id) known = " (" + std::string(u.name) + ")";
  }
  return Unsupported("tensor type id " + std::to_string(id) + known +
                     " is not supported (hfd reads F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, "
                     "Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, IQ3_XXS, IQ3_S, IQ4_NL, "
                     "IQ4_XS, MXFP4); re-quantize the model to one of these");
}

bool IsSupportedType(TensorType type) { return FindTraits(type) != nullptr; }

std::string TypeName(TensorType type) {
  if (const TypeTraits* t = FindTraits(type)) return std::string(t->name);
  for (const UnreadableType& u : kUnreadable) {
    if (u.id == static_cast<uint32_t>(type)) return std::string(u.name);
  }
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
