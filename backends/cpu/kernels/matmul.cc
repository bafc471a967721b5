#include "backends/cpu/kernels/matmul.h"

#include <algorithm>
#include <string>

#include "backends/cpu/kernels/activations.h"
#include "backends/cpu/kernels/kernel_table.h"

namespace hfd::cpu {
namespace {

// Rows per task handed to a thread: enough to amortise dispatch, few enough to balance.
constexpr int64_t kRowsPerTask = 16;
// Tokens per tile in prefill: the weight row stays in L1 while it is dotted with this
// many activation rows (which stay in L2).
constexpr int64_t kTokensPerTile = 64;

Status CheckArgs(TensorType w_type, const void* w, int64_t rows, int64_t cols, const float* x,
                 int64_t n_tokens, float* y) {
  if (w == nullptr || x == nullptr || y == nullptr) {
    return InvalidArgument("MatMul: null weight, input or output pointer");
  }
  if (rows <= 0 || cols <= 0 || n_tokens <= 0) {
    return InvalidArgument("MatMul: rows, cols and n_tokens must be positive (got " +
                           std::to_string(rows) + ", " + std::to_string(cols) + ", " +
                           std::to_string(n_tokens) + ")");
  }
  HFD_ASSIGN_OR_RETURN(TypeTraits traits, GetTypeTraits(w_type));
  if (cols % traits.block_elems != 0) {
    return InvalidArgument("MatMul: a " + std::string(traits.name) + " row holds a multiple of " +
                           std::to_string(traits.block_elems) +
                           " values, got cols = " + std::to_string(cols));
  }
  return Status::Ok();
}

}  // namespace

bool MatMulSupports(TensorType type) { return ScalarKernelTable().ForType(type) != nullptr; }

Status MatMulOnIsa(Isa isa, TensorType w_type, const void* w, int64_t rows, int64_t cols,
                   const float* x, int64_t n_tokens, float* y, ThreadPool* pool) {
  HFD_RETURN_IF_ERROR(CheckArgs(w_type, w, rows, cols, x, n_tokens, y));
  if (!IsaSupported(isa)) {
    return Unsupported("MatMul: this CPU or build cannot run the " + std::string(IsaName(isa)) +
                       " path");
  }
  const WeightKernel* kernel = KernelsFor(isa).ForType(w_type);
  if (kernel == nullptr) {
    return Unsupported("MatMul: no CPU kernel for weights of type " + TypeName(w_type));
  }
  const int64_t row_bytes = RowBytes(w_type, cols);

  // One buffer per calling thread, reused across calls. Workers must reach it through
  // this reference: naming a thread_local inside the lambda would give each worker its own.
  thread_local ActivationBuffer buffer;
  const ActivationBuffer& act = buffer;
  buffer.Prepare(kernel->act, x, n_tokens, cols, KernelsFor(isa).quantize_q8, pool);

  const uint8_t* wb = static_cast<const uint8_t*>(w);
  auto run = [&](int64_t task_begin, int64_t task_end, int /*thread*/) {
    const int64_t r_end = std::min(rows, task_end * kRowsPerTask);
    ActRow x4[4];
    float y4[4];
    for (int64_t t0 = 0; t0 < n_tokens; t0 += kTokensPerTile) {
      const int64_t t_end = std::min(n_tokens, t0 + kTokensPerTile);
      for (int64_t r = task_begin * kRowsPerTask; r < r_end; ++r) {
        const uint8_t* w_row = wb + r * row_bytes;
        int64_t t = t0;
        if (kernel->dot4 != nullptr) {
          for (; t + 4 <= t_end; t += 4) {
            for (int k = 0; k < 4; ++k) x4[k] = act.Row(t + k);
            kernel->dot4(cols, w_row, x4, y4);
            for (int k = 0; k < 4; ++k) y[(t + k) * rows + r] = y4[k];
          }
        }
        for (; t < t_end; ++t) y[t * rows + r] = kernel->dot(cols, w_row, act.Row(t));
      }
    }
  };
  const int64_t n_tasks = (rows + kRowsPerTask - 1) / kRowsPerTask;
  if (pool != nullptr) {
    pool->ParallelFor(n_tasks, run);
  } else {
    run(0, n_tasks, 0);
  }
  return Status::Ok();
}

Status MatMul(TensorType w_type, const void* w, int64_t rows, int64_t cols, const float* x,
              int64_t n_tokens, float* y, ThreadPool* pool) {
  return MatMulOnIsa(ActiveIsa(), w_type, w, rows, cols, x, n_tokens, y, pool);
}

void F32ToF16(const float* src, uint16_t* dst, int64_t n) {
  KernelsFor(ActiveIsa()).f32_to_f16(src, dst, n);
}

void F16ToF32(const uint16_t* src, float* dst, int64_t n) {
  KernelsFor(ActiveIsa()).f16_to_f32(src, dst, n);
}

float DotF16F32(const uint16_t* a, const float* b, int64_t n) {
  return KernelsFor(ActiveIsa()).dot_f16_f32(a, b, n);
}

void AxpyF16(float alpha, const uint16_t* x, float* y, int64_t n) {
  KernelsFor(ActiveIsa()).axpy_f16(alpha, x, y, n);
}

}  // namespace hfd::cpu
