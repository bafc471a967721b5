#include "backends/cpu/kernels/activations.h"

namespace hfd::cpu {

int64_t ActBlockElems(ActKind kind) {
  switch (kind) {
    case ActKind::kF32:
    case ActKind::kF32Bf16x3:
      return 1;
    case ActKind::kQ8x32:
      return 32;
    case ActKind::kQ8x256:
      return 256;
  }
  return 1;
}

namespace {

// Bytes from one token's int8 values to the next: one cache line more than the row, so that
// the same column of many tokens (what a prefill tile reads) does not fall into the same few
// L1 sets when the row is a multiple of 4 KiB or of a large power of two.
int64_t QsStride(int64_t cols) { return cols + 64; }

// Runs fn(t) for every token, one token per task on `pool` (may be null).
template <typename Fn>
void ForEachToken(int64_t n_tokens, ThreadPool* pool, Fn fn) {
  auto run = [&](int64_t begin, int64_t end, int /*thread*/) {
    for (int64_t t = begin; t < end; ++t) fn(t);
  };
  if (pool != nullptr && n_tokens > 1) {
    pool->ParallelFor(n_tokens, run);
  } else {
    run(0, n_tokens, 0);
  }
}

}  // namespace

void ActivationBuffer::Resize(ActKind kind, int64_t n_tokens, int64_t cols) {
  kind_ = kind;
  cols_ = cols;
  const int64_t block = ActBlockElems(kind);
  qs_.resize(n_tokens * QsStride(cols));
  d_.resize(n_tokens * cols / block);
  sum16_.resize(n_tokens * cols / 16);
  if (kind == ActKind::kQ8x32) sum_d_.resize(n_tokens * cols / 32);
}

void ActivationBuffer::QuantizeToken(const float* x, int64_t t, QuantizeQ8Fn quantize) {
  const int64_t block = ActBlockElems(kind_);
  float* d = d_.data() + t * cols_ / block;
  int32_t* sum16 = sum16_.data() + t * cols_ / 16;
  quantize(x, cols_, block, qs_.data() + t * QsStride(cols_), d, sum16);
  if (kind_ != ActKind::kQ8x32) return;
  float* sum_d = sum_d_.data() + t * cols_ / 32;
  for (int64_t j = 0; j < cols_ / 32; ++j) {
    sum_d[j] = static_cast<float>(sum16[2 * j] + sum16[2 * j + 1]) * d[j];
  }
}

void ActivationBuffer::Prepare(ActKind kind, const float* x, int64_t n_tokens, int64_t cols,
                               QuantizeQ8Fn quantize, SplitBf16x3Fn split, ThreadPool* pool) {
  x_ = x;
  kind_ = kind;
  cols_ = cols;
  // Fewer tokens than a group (decode): no AMX tile runs, so the floats alone.
  if (kind == ActKind::kF32Bf16x3 && n_tokens < kBf16x3GroupTokens) kind_ = ActKind::kF32;
  if (kind_ == ActKind::kF32) {
    SetRows(n_tokens);
    return;
  }
  if (kind == ActKind::kF32Bf16x3) {
    const int64_t groups = (n_tokens + kBf16x3GroupTokens - 1) / kBf16x3GroupTokens;
    bf16x3_.resize(groups * Bf16x3GroupElems(cols));
    ForEachToken(n_tokens, pool,
                 [&](int64_t t) { split(x + t * cols, cols, bf16x3_.data() + Bf16x3Offset(t)); });
    SetRows(n_tokens);
    return;
  }
  Resize(kind, n_tokens, cols);
  ForEachToken(n_tokens, pool, [&](int64_t t) { QuantizeToken(x + t * cols, t, quantize); });
  SetRows(n_tokens);
}

void ActivationBuffer::PrepareResidual(const ActivationBuffer& main, const float* x,
                                       int64_t n_tokens, QuantizeQ8Fn quantize, ThreadPool* pool) {
  x_ = x;
  Resize(main.kind_, n_tokens, main.cols_);
  const int64_t cols = cols_, block = ActBlockElems(kind_);
  ForEachToken(n_tokens, pool, [&](int64_t t) {
    std::vector<float> rest(static_cast<size_t>(cols));
    const int8_t* q = main.qs_.data() + t * QsStride(cols);
    const float* d = main.d_.data() + t * cols / block;
    for (int64_t i = 0; i < cols; ++i) {
      rest[i] = x[t * cols + i] - d[i / block] * static_cast<float>(q[i]);
    }
    QuantizeToken(rest.data(), t, quantize);
  });
  SetRows(n_tokens);
}

int64_t ActivationBuffer::Bf16x3Offset(int64_t token) const {
  return token / kBf16x3GroupTokens * Bf16x3GroupElems(cols_) + token % kBf16x3GroupTokens * 32;
}

void ActivationBuffer::SetRows(int64_t n_tokens) {
  rows_.resize(static_cast<size_t>(n_tokens));
  for (int64_t t = 0; t < n_tokens; ++t) rows_[t] = Row(t);
}

ActRow ActivationBuffer::Row(int64_t token) const {
  ActRow row{};
  if (!IsQuantizedAct(kind_)) {
    row.f32 = x_ + token * cols_;
    if (kind_ == ActKind::kF32Bf16x3) row.bf16x3 = bf16x3_.data() + Bf16x3Offset(token);
    return row;
  }
  row.qs = qs_.data() + token * QsStride(cols_);
  row.d = d_.data() + token * cols_ / ActBlockElems(kind_);
  row.sum16 = sum16_.data() + token * cols_ / 16;
  if (kind_ == ActKind::kQ8x32) row.sum_d = sum_d_.data() + token * cols_ / 32;
  return row;
}

}  // namespace hfd::cpu
