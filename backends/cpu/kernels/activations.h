// Activations in the form a kernel's dot product consumes. Quantized weights are dotted
// with int8 activations (one float scale per block), so the inner loops are integer
// multiply-adds; float weights read the float activations directly.
#pragma once

#include <cstdint>
#include <vector>

#include "backends/cpu/kernels/act_row.h"
#include "backends/cpu/kernels/thread_pool.h"

namespace hfd::cpu {

// Values per quantization block of `kind` (1 for kF32).
int64_t ActBlockElems(ActKind kind);

// Holds the activations of one MatMul call. Reused between calls to avoid allocation;
// not thread-safe (one per calling thread).
class ActivationBuffer {
 public:
  // Converts n_tokens rows of `cols` floats (cols a multiple of the block size) with
  // `quantize` (quantized kinds) or `split` (kF32Bf16x3), one token per task on `pool` (may
  // be null). The float kinds record the pointer: `x` must outlive the rows.
  void Prepare(ActKind kind, const float* x, int64_t n_tokens, int64_t cols, QuantizeQ8Fn quantize,
               SplitBf16x3Fn split, ThreadPool* pool);
  // Quantizes what `main` (prepared from the same x) left out, x - d * q per value, the same
  // way: main's rows plus these rows give the activations to about 14 bits. Only for
  // quantized kinds.
  void PrepareResidual(const ActivationBuffer& main, const float* x, int64_t n_tokens,
                       QuantizeQ8Fn quantize, ThreadPool* pool);
  // The prepared tokens' rows, one per token: kernels take them as arrays, so the products
  // need not assemble one per token and tile.
  const ActRow* Rows() const { return rows_.data(); }

 private:
  ActKind kind_ = ActKind::kF32;
  const float* x_ = nullptr;
  int64_t cols_ = 0;
  std::vector<int8_t> qs_;
  std::vector<float> d_;
  std::vector<int32_t> sum16_;
  std::vector<float> sum_d_;  // kQ8x32 only
  std::vector<uint16_t> bf16x3_;
  std::vector<ActRow> rows_;

  void Resize(ActKind kind, int64_t n_tokens, int64_t cols);
  // Quantizes token t of x into this buffer (and its sum_d), `block` values per scale.
  void QuantizeToken(const float* x, int64_t t, QuantizeQ8Fn quantize);
  // Where token's kF32Bf16x3 row starts in bf16x3_.
  int64_t Bf16x3Offset(int64_t token) const;
  // Sets rows_ for n_tokens tokens (after the buffers are sized).
  void SetRows(int64_t n_tokens);
  ActRow Row(int64_t token) const;
};

}  // namespace hfd::cpu
