#include "backends/cpu/ops/attention.h"

#include <algorithm>
#include <cmath>

#include "backends/cpu/kernels/matmul.h"

namespace hfd::cpu {

namespace {

// Keys and values of one cache layer, typed by the cache's element type.
template <typename Elem>
struct LayerView {
  Elem* k;
  Elem* v;
  int64_t row;  // elements per position
};

// scores[j] = K row j · q for the span's keys; out += sum_j w[j] * V row j.
inline void DotRows(Isa /*isa*/, const float* k, int64_t stride, int64_t count, const float* q,
                    int64_t n, float* scores) {
  for (int64_t j = 0; j < count; ++j) {
    float s = 0.0f;
    for (int64_t i = 0; i < n; ++i) s += k[j * stride + i] * q[i];
    scores[j] = s;
  }
}
inline void DotRows(Isa isa, const uint16_t* k, int64_t stride, int64_t count, const float* q,
                    int64_t n, float* scores) {
  DotF16Rows(isa, k, stride, count, q, n, scores);
}

inline void AxpyRows(Isa /*isa*/, const float* w, const float* v, int64_t stride, int64_t count,
                     float* out, int64_t n) {
  for (int64_t j = 0; j < count; ++j) {
    for (int64_t i = 0; i < n; ++i) out[i] += w[j] * v[j * stride + i];
  }
}
inline void AxpyRows(Isa isa, const float* w, const uint16_t* v, int64_t stride, int64_t count,
                     float* out, int64_t n) {
  AxpyF16Rows(isa, w, v, stride, count, out, n);
}

inline void Store(Isa /*isa*/, const float* src, float* dst, int64_t n) {
  std::copy(src, src + n, dst);
}
inline void Store(Isa isa, const float* src, uint16_t* dst, int64_t n) {
  F32ToF16(isa, src, dst, n);
}

// Where keys lo..hi of one sequence sit in a cache layer: one run of rows from lo in a
// contiguous cache (block_size 0), else a run per block through the block table.
struct KeyRuns {
  std::span<const int32_t> blocks;
  int64_t block_size = 0;

  // Calls fn(first cache row, count, offset from lo) for each run, in order.
  template <typename Fn>
  void ForEach(int64_t lo, int64_t hi, Fn&& fn) const {
    if (block_size == 0) {
      fn(lo, hi - lo + 1, int64_t{0});
      return;
    }
    for (int64_t j = lo; j <= hi;) {
      const int64_t in_block = j % block_size;
      const int64_t count = std::min(block_size - in_block, hi - j + 1);
      fn(int64_t{blocks[j / block_size]} * block_size + in_block, count, j - lo);
      j += count;
    }
  }
  int64_t Row(int64_t p) const {
    return block_size == 0 ? p : int64_t{blocks[p / block_size]} * block_size + p % block_size;
  }
};

// One query head of one token: softmax(cap(scale * q·K[lo..hi])) · V[lo..hi], the softmax's
// denominator with e^sink added (-inf: nothing). Each score and each V row's turn in the sum
// are the same however the keys are split into runs (the kernels keep the output
// accumulating across calls), so a pooled sequence computes what a contiguous one does when
// its runs start at the same multiples of the key tile (lo = 0 and a block size that is a
// multiple of 4; a sliding window may move lo off them).
template <typename Elem>
void AttendHead(Isa isa, const LayerView<Elem>& layer, const KeyRuns& runs, const float* q,
                int64_t kv_offset, const runtime::AttentionAttrs& a, int64_t lo, int64_t hi,
                float sink, float* scores, float* out) {
  const int64_t count = hi - lo + 1;
  const int32_t head_dim = a.head_dim;
  runs.ForEach(lo, hi, [&](int64_t row, int64_t n, int64_t at) {
    DotRows(isa, layer.k + row * layer.row + kv_offset, layer.row, n, q, head_dim, scores + at);
  });
  for (int64_t j = 0; j < count; ++j) scores[j] *= a.scale;
  if (a.softcap > 0) SoftCap(isa, scores, a.softcap, scores, count);
  float max_score = sink;
  for (int64_t j = 0; j < count; ++j) max_score = std::max(max_score, scores[j]);
  float sum = std::exp(sink - max_score);
  for (int64_t j = 0; j < count; ++j) {
    scores[j] = std::exp(scores[j] - max_score);
    sum += scores[j];
  }
  const float inv_sum = 1.0f / sum;
  for (int64_t j = 0; j < count; ++j) scores[j] *= inv_sum;
  std::fill(out, out + head_dim, 0.0f);
  runs.ForEach(lo, hi, [&](int64_t row, int64_t n, int64_t at) {
    AxpyRows(isa, scores + at, layer.v + row * layer.row + kv_offset, layer.row, n, out, head_dim);
  });
}

// Token t's sequence: its key runs, and the position of its first token in this call.
struct TokenSeq {
  KeyRuns runs;
  int64_t pos;
  int64_t first;  // index of the sequence's first token in the call
};

template <typename Elem>
void AttentionTyped(Isa isa, const runtime::AttentionAttrs& a, const AttentionInputs& in,
                    LayerView<Elem> layer, int64_t block_size, ThreadPool& pool,
                    std::vector<std::vector<float>>& scratch) {
  std::vector<TokenSeq> seqs;
  int64_t span = in.pos + in.n_tokens;
  if (in.seqs.empty()) {
    for (int64_t t = 0; t < in.n_tokens; ++t) {
      Store(isa, in.k + t * layer.row, layer.k + (in.pos + t) * layer.row, layer.row);
      Store(isa, in.v + t * layer.row, layer.v + (in.pos + t) * layer.row, layer.row);
    }
  } else {
    span = 0;
    for (int64_t t = 0; const runtime::SeqSpan& seq : in.seqs) {
      seqs.push_back({{seq.blocks, block_size}, seq.pos, t});
      for (int64_t i = 0; i < seq.n_tokens; ++i, ++t) {
        const int64_t row = seqs.back().runs.Row(seq.pos + i);
        Store(isa, in.k + t * layer.row, layer.k + row * layer.row, layer.row);
        Store(isa, in.v + t * layer.row, layer.v + row * layer.row, layer.row);
      }
      span = std::max<int64_t>(span, int64_t{seq.pos} + seq.n_tokens);
    }
  }
  const TokenSeq whole{{}, in.pos, 0};
  const auto seq_of = [&](int64_t t) -> const TokenSeq& {
    return seqs.empty() ? whole : seqs[in.token_seq[t]];
  };
  scratch.resize(pool.size());
  for (auto& s : scratch) {
    if (static_cast<int64_t>(s.size()) < span) s.resize(span);
  }
  const int32_t group = a.n_head / a.n_head_kv;
  const int64_t q_row = static_cast<int64_t>(a.n_head) * a.head_dim;
  pool.ParallelFor(in.n_tokens * a.n_head, [&](int64_t begin, int64_t end, int thread) {
    float* scores = scratch[thread].data();
    for (int64_t task = begin; task < end; ++task) {
      const int64_t t = task / a.n_head;
      const int32_t h = static_cast<int32_t>(task % a.n_head);
      const TokenSeq& seq = seq_of(t);
      int64_t p = seq.pos + t - seq.first;
      int64_t lo = a.sliding_window > 0 ? std::max<int64_t>(0, p - a.sliding_window + 1) : 0;
      if (in.text_begin != nullptr) {
        if (in.text_end != nullptr) p = in.pos + in.text_end[t] - 1;
        lo = std::max<int64_t>(lo, in.pos + in.text_begin[t]);
      }
      const int64_t kv_offset = static_cast<int64_t>(h / group) * a.head_dim;
      const int64_t at = t * q_row + int64_t{h} * a.head_dim;
      const float sink = in.sinks != nullptr ? in.sinks[h] : -INFINITY;
      AttendHead(isa, layer, seq.runs, in.q + at, kv_offset, a, lo, p, sink, scores, in.out + at);
    }
  });
}

}  // namespace

void Attention(Isa isa, const runtime::AttentionAttrs& attrs, const AttentionInputs& in,
               CpuKvCache& cache, ThreadPool& pool, std::vector<std::vector<float>>& scratch) {
  if (cache.desc().type == runtime::KvType::kF16) {
    LayerView<uint16_t> layer{static_cast<uint16_t*>(cache.k(attrs.layer)),
                              static_cast<uint16_t*>(cache.v(attrs.layer)), cache.row_elems()};
    AttentionTyped(isa, attrs, in, layer, cache.desc().block_size, pool, scratch);
  } else {
    LayerView<float> layer{static_cast<float*>(cache.k(attrs.layer)),
                           static_cast<float*>(cache.v(attrs.layer)), cache.row_elems()};
    AttentionTyped(isa, attrs, in, layer, cache.desc().block_size, pool, scratch);
  }
}

}  // namespace hfd::cpu
