#include "backends/cpu/kernels/rows16_layout.h"

#include <cstring>
#include <string>

#include "backends/cpu/kernels/kernel_table.h"

namespace hfd::cpu {
namespace {

// The bytes of a block's scales (d, and m for Q4_1) at its start, stored as 16 rows' halves;
// the rest are its values, stored as words. Q4_K's 144 bytes are all words.
int64_t HeadBytes(TensorType type) {
  return type == TensorType::kQ4_1 ? 4 : type == TensorType::kQ4_K ? 0 : 2;
}

bool Interleavable(TensorType type) {
  return type == TensorType::kQ8_0 || type == TensorType::kQ4_0 || type == TensorType::kQ4_1 ||
         type == TensorType::kQ4_K;
}

}  // namespace

bool ReadsRows16(Isa isa, TensorType type) {
  return IsaSupported(isa) && KernelsFor(isa).Rows16For(type) != nullptr;
}

Status InterleaveRows16(TensorType type, const uint8_t* src, int64_t rows, int64_t cols,
                        std::span<uint8_t> dst) {
  if (!Interleavable(type)) {
    return InvalidArgument("the interleaved layout holds Q8_0, Q4_0, Q4_1 or Q4_K, not " +
                           TypeName(type));
  }
  HFD_ASSIGN_OR_RETURN(const TypeTraits traits, GetTypeTraits(type));
  if (rows <= 0 || cols <= 0 || cols % traits.block_elems != 0) {
    return InvalidArgument("cannot interleave " + std::to_string(rows) + " rows of " +
                           std::to_string(cols) + " " + TypeName(type) + " values");
  }
  const int64_t row_bytes = RowBytes(type, cols);
  if (static_cast<int64_t>(dst.size()) != rows * row_bytes) {
    return InvalidArgument("the interleaved copy must be as large as the weights");
  }
  const int64_t block_bytes = traits.block_bytes, head = HeadBytes(type);
  const int64_t words = (block_bytes - head) / 4, blocks = cols / traits.block_elems;
  const int64_t full = rows / kRows16 * kRows16;
  for (int64_t g = 0; g < full; g += kRows16) {
    const uint8_t* in = src + g * row_bytes;
    uint8_t* out = dst.data() + g * row_bytes;
    for (int64_t j = 0; j < blocks; ++j, out += kRows16 * block_bytes) {
      for (int64_t r = 0; r < kRows16; ++r) {
        const uint8_t* b = in + r * row_bytes + j * block_bytes;
        for (int64_t h = 0; h < head; h += 2) {  // d, then m
          std::memcpy(out + h * kRows16 + 2 * r, b + h, 2);
        }
        for (int64_t k = 0; k < words; ++k) {
          std::memcpy(out + head * kRows16 + 64 * k + 4 * r, b + head + 4 * k, 4);
        }
      }
    }
  }
  std::memcpy(dst.data() + full * row_bytes, src + full * row_bytes, (rows - full) * row_bytes);
  return Status::Ok();
}

}  // namespace hfd::cpu
