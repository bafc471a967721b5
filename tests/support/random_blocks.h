// Random weight blocks of the types hfd decodes but cannot encode (Q2_K, Q3_K, the
// i-quants), for kernel tests: random codes, sub-block scales and signs, with each
// half-precision super-block scale chosen so that decoded values stay within about [-1, 1];
// and random matrices of any type with the floats they decode to.
// Header-only; the including test links hfd_engine.
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "engine/quant/dequantize.h"
#include "engine/quant/half.h"
#include "engine/quant/tensor_type.h"

namespace hfd::testing {

// Byte offsets of the half-precision scales in a block, and the largest |code x integer
// sub-block scale| the type can hold (what one unit of those scales can multiply).
struct RandomBlockLayout {
  std::vector<int> half_offsets;
  float max_code_times_scale;
};

inline RandomBlockLayout LayoutForRandomBlocks(TensorType type) {
  switch (type) {
    case TensorType::kQ2_K:
      return {{80, 82}, 3.0f * 15.0f};  // d and dmin; q in [0, 3], 4-bit scales and mins
    case TensorType::kQ3_K:
      return {{108}, 4.0f * 32.0f};  // q in [-4, 3], 6-bit signed scales
    case TensorType::kIQ4_XS:
      return {{0}, 127.0f * 32.0f};  // levels up to 127, scales in [-32, 31]
    case TensorType::kIQ3_XXS:
      return {{0}, 62.0f * 7.75f};  // magnitudes up to 62, scale (s + 1/2) / 2
    case TensorType::kIQ3_S:
      return {{0}, 15.0f * 31.0f};  // magnitudes up to 15, scale 2s + 1
    default:
      return {{0}, 127.0f};  // IQ4_NL: levels up to 127, d first
  }
}

// `rows` x `cols` values of `type` as random blocks, deterministic for `seed`.
inline std::vector<uint8_t> RandomBlocks(TensorType type, int64_t rows, int64_t cols,
                                         uint32_t seed) {
  std::vector<uint8_t> data(static_cast<size_t>(rows * RowBytes(type, cols)));
  std::mt19937 rng(seed);
  for (uint8_t& byte : data) byte = static_cast<uint8_t>(rng());
  const RandomBlockLayout layout = LayoutForRandomBlocks(type);
  const auto block_bytes = static_cast<size_t>(GetTypeTraits(type)->block_bytes);
  std::uniform_real_distribution<float> unit(0.5f, 1.0f);
  for (size_t at = 0; at < data.size(); at += block_bytes) {
    for (int offset : layout.half_offsets) {
      const uint16_t h = FloatToHalf(unit(rng) / layout.max_code_times_scale);
      std::memcpy(data.data() + at + offset, &h, 2);
    }
  }
  return data;
}

// A weight matrix in some type and the floats it decodes to (what every kernel must see).
struct RandomMatrix {
  std::vector<uint8_t> bytes;  // rows * RowBytes(type, cols)
  std::vector<float> decoded;  // rows * cols
};

// Uniform floats in [-1, 1) encoded in `type` where hfd can encode it, else RandomBlocks;
// deterministic for `seed`. `cols` must be a multiple of the type's block.
inline RandomMatrix MakeRandomMatrix(TensorType type, int64_t rows, int64_t cols, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> src(static_cast<size_t>(rows * cols));
  for (float& x : src) x = dist(rng);
  const int64_t row_bytes = RowBytes(type, cols);
  RandomMatrix m;
  m.bytes.resize(static_cast<size_t>(rows * row_bytes));
  m.decoded.resize(src.size());
  for (int64_t r = 0; r < rows; ++r) {
    if (!QuantizeRow(type, &src[r * cols], &m.bytes[r * row_bytes], cols).ok()) {
      m.bytes = RandomBlocks(type, rows, cols, seed);  // a type hfd only decodes
      break;
    }
  }
  for (int64_t r = 0; r < rows; ++r) {
    if (!DequantizeRow(type, &m.bytes[r * row_bytes], &m.decoded[r * cols], cols).ok()) {
      m.decoded.clear();  // an unsupported type: callers check decoded.size()
      break;
    }
  }
  return m;
}

}  // namespace hfd::testing
