#include "backends/cpu/kernels/matmul.h"

#include <algorithm>
#include <string>

#include "backends/cpu/kernels/activations.h"
#include "backends/cpu/kernels/kernel_table.h"

namespace hfd::cpu {
namespace {

// Rows per task handed to a thread: enough to amortise dispatch, few enough to balance;
// a whole number of register-blocked tiles.
constexpr int64_t kRowsPerTask = 16;
static_assert(kRowsPerTask % kMaxTileRows == 0);
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

// The inputs a call's activation buffers were prepared from.
struct PreparedFrom {
  Isa isa;
  ActKind act;
  ActPrecision precision;
  const float* x;
  int64_t n_tokens, cols;
  bool operator==(const PreparedFrom&) const = default;
};

}  // namespace

bool MatMulSupports(TensorType type) { return ScalarKernelTable().ForType(type) != nullptr; }

Status MatMulOnIsa(Isa isa, TensorType w_type, const void* w, int64_t rows, int64_t cols,
                   const float* x, int64_t n_tokens, float* y, ThreadPool* pool,
                   ActPrecision precision, const MatMulEpilogue& epilogue, WeightLayout layout,
                   bool x_unchanged) {
  HFD_RETURN_IF_ERROR(CheckArgs(w_type, w, rows, cols, x, n_tokens, y));
  if (!IsaSupported(isa)) {
    return Unsupported("MatMul: cannot run the " + std::string(IsaName(isa)) +
                       " path: " + std::string(IsaUnsupportedReason(isa)));
  }
  const WeightKernel* kernel = KernelsFor(isa).ForType(w_type);
  if (kernel == nullptr) {
    return Unsupported("MatMul: no CPU kernel for weights of type " + TypeName(w_type));
  }
  const bool interleaved = layout == WeightLayout::kRows16;
  const TileKernel* rows16 = KernelsFor(isa).Rows16For(w_type);
  if (interleaved && rows16 == nullptr) {
    return InvalidArgument("MatMul: the " + std::string(IsaName(isa)) + " path reads " +
                           TypeName(w_type) + " weights only in GGUF's layout");
  }
  const int64_t row_bytes = RowBytes(w_type, cols);

  // Buffers per calling thread, reused across calls. Workers must reach them through these
  // pointers: naming a thread_local inside the lambda would give each worker its own.
  thread_local ActivationBuffer main_buffer, residual_buffer;
  // What the buffers were last prepared from, so that x_unchanged calls can check it.
  thread_local PreparedFrom prepared{};
  const PreparedFrom from{isa, kernel->act, precision, x, n_tokens, cols};
  const bool two_passes = precision == ActPrecision::kInt8x2 && IsQuantizedAct(kernel->act);
  if (!x_unchanged || !(from == prepared)) {
    const QuantizeQ8Fn quantize = KernelsFor(isa).quantize_q8;
    main_buffer.Prepare(kernel->act, x, n_tokens, cols, quantize, KernelsFor(isa).split_bf16x3,
                        pool);
    if (two_passes) residual_buffer.PrepareResidual(main_buffer, x, n_tokens, quantize, pool);
    prepared = from;
  }
  const ActivationBuffer* passes[2] = {&main_buffer, &residual_buffer};
  const int n_passes = two_passes ? 2 : 1;

  const uint8_t* wb = static_cast<const uint8_t*>(w);
  // Every kernel call below computes a rows x tokens block into `part` once per pass and
  // stores the sum, so a (row, token) result never depends on how it was blocked.
  auto store = [&](int pass, int64_t r, int64_t t, const float* part, int n_rows, int n_tok) {
    for (int k = 0; k < n_tok; ++k) {
      float* dst = y + (t + k) * rows + r;
      for (int i = 0; i < n_rows; ++i) {
        dst[i] = pass == 0 ? part[k * n_rows + i] : dst[i] + part[k * n_rows + i];
      }
    }
  };
  // Rows [r, r_end) x tokens [t_begin, t_end) one row at a time: four tokens per call where
  // the path has a four-token kernel, then one.
  auto by_row = [&](int64_t r, int64_t r_end, int64_t t_begin, int64_t t_end) {
    float part[4];
    for (; r < r_end; ++r) {
      const uint8_t* w_row = wb + r * row_bytes;
      for (int pass = 0; pass < n_passes; ++pass) {
        const ActRow* x_rows = passes[pass]->Rows();
        int64_t t = t_begin;
        if (kernel->dot4 != nullptr) {
          for (; t + 4 <= t_end; t += 4) {
            kernel->dot4(cols, w_row, x_rows + t, part);
            store(pass, r, t, part, 1, 4);
          }
        }
        for (; t < t_end; ++t) {
          part[0] = kernel->dot(cols, w_row, x_rows[t]);
          store(pass, r, t, part, 1, 1);
        }
      }
    }
  };
  // Rows [r, r + tile.rows) x tokens [t, t_end) with the register-blocked kernel:
  // tile.tokens tokens per call, then the rest in one call where the path has a kernel for
  // it, else one at a time (by_row where it has no one-token form).
  // An interleaved group of rows is only readable by its tiles: they have a one-token form,
  // so `run` below hands them every token of every full group.
  const TileKernel& tile = interleaved ? *rows16 : kernel->tile;
  auto by_tile = [&](int64_t r, int64_t t, int64_t t_end) {
    float part[kMaxTileRows * kMaxTileTokens];
    const uint8_t* w_rows = wb + r * row_bytes;
    // `call(x, y, y_stride)` computes n_tok tokens from t.
    auto each_pass = [&](int n_tok, auto call) {
      for (int pass = 0; pass < n_passes; ++pass) {
        const ActRow* xt = passes[pass]->Rows() + t;
        if (pass == 0) {
          call(xt, y + t * rows + r, rows);  // what store would write
        } else {
          call(xt, part, tile.rows);
          store(pass, r, t, part, tile.rows, n_tok);
        }
      }
    };
    auto tiles_of = [&](RowTileFn fn, int n_tok) {
      for (; fn != nullptr && t + n_tok <= t_end; t += n_tok) {
        each_pass(n_tok, [&](const ActRow* x_rows, float* out, int64_t out_stride) {
          fn(cols, w_rows, row_bytes, x_rows, out, out_stride);
        });
      }
    };
    tiles_of(tile.fn, tile.tokens);
    if (tile.rest != nullptr && t_end - t >= tile.rest_min) {
      const int n_tok = static_cast<int>(t_end - t);
      each_pass(n_tok, [&](const ActRow* x_rows, float* out, int64_t out_stride) {
        tile.rest(cols, w_rows, row_bytes, x_rows, n_tok, out, out_stride);
      });
      t = t_end;
    }
    tiles_of(tile.one, 1);
    by_row(r, r + tile.rows, t, t_end);
  };
  // The epilogue of rows [r_begin, r_end) x tokens [t0, t_end), once their sums are final.
  auto finish = [&](int64_t r_begin, int64_t r_end, int64_t t0, int64_t t_end) {
    const int64_t n = r_end - r_begin;
    for (int64_t t = t0; t < t_end; ++t) {
      float* out = y + t * rows + r_begin;
      if (epilogue.bias != nullptr) KernelsFor(isa).add(out, epilogue.bias + r_begin, out, n);
      if (epilogue.gelu) KernelsFor(isa).gelu(out, out, n);
      if (epilogue.geglu_gate != nullptr) {
        GeGLU(isa, epilogue.geglu_gate + t * rows + r_begin, out, out, n);
      }
      if (epilogue.softcap > 0) SoftCap(isa, out, epilogue.softcap, out, n);
    }
  };
  const bool has_epilogue = epilogue.bias != nullptr || epilogue.gelu ||
                            epilogue.geglu_gate != nullptr || epilogue.softcap > 0;
  auto run = [&](int64_t task_begin, int64_t task_end, int /*thread*/) {
    const int64_t r_begin = task_begin * kRowsPerTask;
    const int64_t r_end = std::min(rows, task_end * kRowsPerTask);
    for (int64_t t0 = 0; t0 < n_tokens; t0 += kTokensPerTile) {
      const int64_t t_end = std::min(n_tokens, t0 + kTokensPerTile);
      int64_t r = r_begin;
      if (tile.fn != nullptr && (t_end - t0 >= tile.tokens || tile.one != nullptr ||
                                 (tile.rest != nullptr && t_end - t0 >= tile.rest_min))) {
        for (; r + tile.rows <= r_end; r += tile.rows) by_tile(r, t0, t_end);
      }
      by_row(r, r_end, t0, t_end);
      if (has_epilogue) finish(r_begin, r_end, t0, t_end);
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
              int64_t n_tokens, float* y, ThreadPool* pool, ActPrecision precision,
              const MatMulEpilogue& epilogue) {
  return MatMulOnIsa(ActiveIsa(), w_type, w, rows, cols, x, n_tokens, y, pool, precision, epilogue);
}

void Gelu(Isa isa, const float* x, float* y, int64_t n) { KernelsFor(isa).gelu(x, y, n); }

namespace {

// GeGLU and SoftCap go through a stack buffer of this many elements: their tanh arguments.
constexpr int64_t kTanhChunk = 256;

}  // namespace

void GeGLU(Isa isa, const float* gate, const float* up, float* y, int64_t n) {
  constexpr float kSqrt2OverPi = 0.7978845608028654f;
  float th[kTanhChunk];
  for (int64_t c = 0; c < n; c += kTanhChunk) {
    const int64_t m = std::min(kTanhChunk, n - c);
    for (int64_t i = 0; i < m; ++i) {
      const float g = gate[c + i];
      th[i] = kSqrt2OverPi * (g + 0.044715f * g * g * g);
    }
    KernelsFor(isa).tanh(th, th, m);
    for (int64_t i = 0; i < m; ++i) {
      const float g = gate[c + i];
      y[c + i] = 0.5f * g * (1.0f + th[i]) * up[c + i];
    }
  }
}

void SoftCap(Isa isa, const float* x, float cap, float* y, int64_t n) {
  float th[kTanhChunk];
  for (int64_t c = 0; c < n; c += kTanhChunk) {
    const int64_t m = std::min(kTanhChunk, n - c);
    for (int64_t i = 0; i < m; ++i) th[i] = x[c + i] / cap;
    KernelsFor(isa).tanh(th, th, m);
    for (int64_t i = 0; i < m; ++i) y[c + i] = cap * th[i];
  }
}

void Add(Isa isa, const float* a, const float* b, float* y, int64_t n) {
  KernelsFor(isa).add(a, b, y, n);
}

void LayerNorm(Isa isa, const float* x, const float* w, const float* bias, float* y, int64_t rows,
               int64_t width, float eps) {
  KernelsFor(isa).layer_norm(x, w, bias, y, rows, width, eps);
}

void F32ToF16(Isa isa, const float* src, uint16_t* dst, int64_t n) {
  KernelsFor(isa).f32_to_f16(src, dst, n);
}

void F16ToF32(Isa isa, const uint16_t* src, float* dst, int64_t n) {
  KernelsFor(isa).f16_to_f32(src, dst, n);
}

void DotF16Rows(Isa isa, const uint16_t* rows, int64_t stride, int64_t count, const float* x,
                int64_t n, float* out) {
  KernelsFor(isa).dot_f16_rows(rows, stride, count, x, n, out);
}

void AxpyF16Rows(Isa isa, const float* w, const uint16_t* rows, int64_t stride, int64_t count,
                 float* y, int64_t n) {
  KernelsFor(isa).axpy_f16_rows(w, rows, stride, count, y, n);
}

}  // namespace hfd::cpu
