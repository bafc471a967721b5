// The CPU kernels' interleaved copy of Q8_0, Q4_0, Q4_1 and Q4_K weights: the order in which
// the AVX-512 (and AMX) 16-row tiles read them, made once at load so that decode reads one
// stream instead of gathering and transposing 16 rows per block.
//
// A matrix of `rows` rows keeps its size and its byte offsets of row groups: each full group
// of 16 rows (kRows16 * row_bytes bytes) holds, for every block j of the rows in order, the
// 16 rows' scales d (16 halves), for Q4_1 their mins m (16 halves), then their values as
// 32-bit words: word k of row r's qs at byte 64 * k + 4 * r (Q4_0, Q4_1: 4 words of packed
// nibbles; Q8_0: 8 words of int8). Q4_K's super-block (144 bytes) is 36 words, all stored
// that way: word k of row r's block at byte 64 * k + 4 * r, so its first 256 bytes are four
// registers of 16 rows' words (d and dmin; then the 12 bytes of packed scales and mins) and
// the rest, 64 bytes per word of qs, the 8 registers of each 32-byte chunk of qs that
// TransposeWords16 would build. Rows past the last full group keep GGUF's layout, so the
// one-row kernels read them in place.
#pragma once

#include <cstdint>
#include <span>

#include "backends/cpu/kernels/isa.h"
#include "engine/quant/tensor_type.h"
#include "include/hfd/status.h"

namespace hfd::cpu {

// Rows per interleaved group (the tiles' rows).
inline constexpr int64_t kRows16 = 16;

// A new value whenever the bytes InterleaveRows16 writes change meaning (copies kept in
// files are rebuilt).
inline constexpr uint32_t kRows16LayoutVersion = 1;

// How MatMul finds a weight's rows.
enum class WeightLayout {
  kGguf,    // GGUF's: row r at r * row_bytes
  kRows16,  // the interleaved copy above
};

// True when the kernels of `isa` read `type` in the interleaved layout (the AVX-512 and AMX
// paths for Q8_0, Q4_0, Q4_1 and Q4_K): only then is a copy worth making.
bool ReadsRows16(Isa isa, TensorType type);

// Writes the interleaved copy of `rows` rows of `cols` values of `type` from `src` (GGUF's
// layout, RowBytes(type, cols) * rows bytes) into `dst` (the same size). InvalidArgument for
// another type, a size that does not match or cols not a multiple of the block.
Status InterleaveRows16(TensorType type, const uint8_t* src, int64_t rows, int64_t cols,
                        std::span<uint8_t> dst);

}  // namespace hfd::cpu
