// Row-level dispatch: splits a row into blocks and hands each to its codec.
#include "engine/quant/dequantize.h"

#include <cstring>
#include <string>

#include "engine/quant/block_codecs.h"
#include "engine/quant/half.h"

namespace hfd {
namespace {

using quant_internal::DecodeBlock;
using quant_internal::EncodeBlock;

// Blocks are copied out with memcpy because tensor data carries no alignment guarantee.
template <typename Block>
void DecodeBlocks(const void* src, float* dst, int64_t n, int block_elems) {
  const auto* p = static_cast<const uint8_t*>(src);
  for (int64_t i = 0; i < n / block_elems; ++i) {
    Block b;
    std::memcpy(&b, p + i * sizeof(Block), sizeof(Block));
    DecodeBlock(b, dst + i * block_elems);
  }
}

template <typename Block>
void EncodeBlocks(const float* src, void* dst, int64_t n, int block_elems) {
  auto* p = static_cast<uint8_t*>(dst);
  for (int64_t i = 0; i < n / block_elems; ++i) {
    Block b;
    EncodeBlock(src + i * block_elems, &b);
    std::memcpy(p + i * sizeof(Block), &b, sizeof(Block));
  }
}

template <float (*Convert)(uint16_t)>
void Decode16(const void* src, float* dst, int64_t n) {
  const auto* p = static_cast<const uint8_t*>(src);
  for (int64_t i = 0; i < n; ++i) {
    uint16_t v;
    std::memcpy(&v, p + 2 * i, 2);
    dst[i] = Convert(v);
  }
}

template <uint16_t (*Convert)(float)>
void Encode16(const float* src, void* dst, int64_t n) {
  auto* p = static_cast<uint8_t*>(dst);
  for (int64_t i = 0; i < n; ++i) {
    const uint16_t v = Convert(src[i]);
    std::memcpy(p + 2 * i, &v, 2);
  }
}

Status CheckLength(TensorType type, int64_t n, int64_t block_elems) {
  if (n < 0 || n % block_elems != 0) {
    return InvalidArgument("row of " + std::to_string(n) + " values is not a multiple of " +
                           TypeName(type) + "'s block size " + std::to_string(block_elems));
  }
  return Status::Ok();
}

// Calls fn(Block{}) with the block struct that stores `type`; false for the
// element-wise types (F32, F16, BF16), which have none.
template <typename Fn>
bool WithBlockType(TensorType type, Fn&& fn) {
  switch (type) {
    case TensorType::kF32:
    case TensorType::kF16:
    case TensorType::kBF16:
      return false;
    case TensorType::kQ4_0:
      fn(BlockQ4_0{});
      break;
    case TensorType::kQ4_1:
      fn(BlockQ4_1{});
      break;
    case TensorType::kQ5_0:
      fn(BlockQ5_0{});
      break;
    case TensorType::kQ5_1:
      fn(BlockQ5_1{});
      break;
    case TensorType::kQ8_0:
      fn(BlockQ8_0{});
      break;
    case TensorType::kQ8_1:
      fn(BlockQ8_1{});
      break;
    case TensorType::kQ2_K:
      fn(BlockQ2_K{});
      break;
    case TensorType::kQ3_K:
      fn(BlockQ3_K{});
      break;
    case TensorType::kQ4_K:
      fn(BlockQ4_K{});
      break;
    case TensorType::kQ5_K:
      fn(BlockQ5_K{});
      break;
    case TensorType::kQ6_K:
      fn(BlockQ6_K{});
      break;
    case TensorType::kQ8_K:
      fn(BlockQ8_K{});
      break;
    case TensorType::kIQ3_XXS:
      fn(BlockIQ3_XXS{});
      break;
    case TensorType::kIQ4_NL:
      fn(BlockIQ4_NL{});
      break;
    case TensorType::kIQ3_S:
      fn(BlockIQ3_S{});
      break;
    case TensorType::kIQ4_XS:
      fn(BlockIQ4_XS{});
      break;
    case TensorType::kMXFP4:
      fn(BlockMXFP4{});
      break;
  }
  return true;
}

}  // namespace

Status DequantizeRow(TensorType type, const void* src, float* dst, int64_t n) {
  HFD_ASSIGN_OR_RETURN(const TypeTraits traits, GetTypeTraits(type));
  HFD_RETURN_IF_ERROR(CheckLength(type, n, traits.block_elems));
  const int block_elems = static_cast<int>(traits.block_elems);
  const bool blocks = WithBlockType(
      type, [&](auto block) { DecodeBlocks<decltype(block)>(src, dst, n, block_elems); });
  if (blocks) return Status::Ok();
  if (type == TensorType::kF32) {
    std::memcpy(dst, src, static_cast<size_t>(n) * 4);
  } else if (type == TensorType::kF16) {
    Decode16<HalfToFloat>(src, dst, n);
  } else {
    Decode16<Bf16ToFloat>(src, dst, n);
  }
  return Status::Ok();
}

Status QuantizeRow(TensorType type, const float* src, void* dst, int64_t n) {
  HFD_ASSIGN_OR_RETURN(const TypeTraits traits, GetTypeTraits(type));
  HFD_RETURN_IF_ERROR(CheckLength(type, n, traits.block_elems));
  const int block_elems = static_cast<int>(traits.block_elems);
  bool encoded = false;
  const bool blocks = WithBlockType(type, [&](auto block) {
    // Q2_K, Q3_K and the IQ types have decoders only.
    if constexpr (requires(decltype(block)* b) { EncodeBlock(src, b); }) {
      EncodeBlocks<decltype(block)>(src, dst, n, block_elems);
      encoded = true;
    }
  });
  if (blocks && !encoded) {
    return Unsupported("hfd cannot quantize to " + TypeName(type) +
                       " (it only reads it); pick Q4_K or higher");
  }
  if (blocks) return Status::Ok();
  if (type == TensorType::kF32) {
    std::memcpy(dst, src, static_cast<size_t>(n) * 4);
  } else if (type == TensorType::kF16) {
    Encode16<FloatToHalf>(src, dst, n);
  } else {
    Encode16<FloatToBf16>(src, dst, n);
  }
  return Status::Ok();
}

}  // namespace hfd
