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

// One query head of one token: softmax(cap(scale * q·K[lo..hi])) · V[lo..hi], the softmax's
// denominator with e^sink added (-inf: nothing).
template <typename Elem>
void AttendHead(Isa isa, const LayerView<Elem>& layer, const float* q, int64_t kv_offset,
                const runtime::AttentionAttrs& a, int64_t lo, int64_t hi, float sink, float* scores,
                float* out) {
  const int64_t count = hi - lo + 1;
  const int32_t head_dim = a.head_dim;
  DotRows(isa, layer.k + lo * layer.row + kv_offset, layer.row, count, q, head_dim, scores);
  float max_score = sink;
  for (int64_t j = 0; j < count; ++j) {
    scores[j] *= a.scale;
    if (a.softcap > 0) scores[j] = a.softcap * std::tanh(scores[j] / a.softcap);
    max_score = std::max(max_score, scores[j]);
  }
  float sum = std::exp(sink - max_score);
  for (int64_t j = 0; j < count; ++j) {
    scores[j] = std::exp(scores[j] - max_score);
    sum += scores[j];
  }
  const float inv_sum = 1.0f / sum;
  for (int64_t j = 0; j < count; ++j) scores[j] *= inv_sum;
  std::fill(out, out + head_dim, 0.0f);
  AxpyRows(isa, scores, layer.v + lo * layer.row + kv_offset, layer.row, count, out, head_dim);
}

template <typename Elem>
void AttentionTyped(Isa isa, const runtime::AttentionAttrs& a, const AttentionInputs& in,
                    LayerView<Elem> layer, ThreadPool& pool,
                    std::vector<std::vector<float>>& scratch) {
  for (int64_t t = 0; t < in.n_tokens; ++t) {
    Store(isa, in.k + t * layer.row, layer.k + (in.pos + t) * layer.row, layer.row);
    Store(isa, in.v + t * layer.row, layer.v + (in.pos + t) * layer.row, layer.row);
  }
  const int64_t span = in.pos + in.n_tokens;
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
      int64_t p = in.pos + t;
      int64_t lo = a.sliding_window > 0 ? std::max<int64_t>(0, p - a.sliding_window + 1) : 0;
      if (in.text_begin != nullptr) {
        if (in.text_end != nullptr) p = in.pos + in.text_end[t] - 1;
        lo = std::max<int64_t>(lo, in.pos + in.text_begin[t]);
      }
      const int64_t kv_offset = static_cast<int64_t>(h / group) * a.head_dim;
      const int64_t at = t * q_row + int64_t{h} * a.head_dim;
      const float sink = in.sinks != nullptr ? in.sinks[h] : -INFINITY;
      AttendHead(isa, layer, in.q + at, kv_offset, a, lo, p, sink, scores, in.out + at);
    }
  });
}

}  // namespace

void Attention(Isa isa, const runtime::AttentionAttrs& attrs, const AttentionInputs& in,
               CpuKvCache& cache, ThreadPool& pool, std::vector<std::vector<float>>& scratch) {
  if (cache.desc().type == runtime::KvType::kF16) {
    LayerView<uint16_t> layer{static_cast<uint16_t*>(cache.k(attrs.layer)),
                              static_cast<uint16_t*>(cache.v(attrs.layer)), cache.row_elems()};
    AttentionTyped(isa, attrs, in, layer, pool, scratch);
  } else {
    LayerView<float> layer{static_cast<float*>(cache.k(attrs.layer)),
                           static_cast<float*>(cache.v(attrs.layer)), cache.row_elems()};
    AttentionTyped(isa, attrs, in, layer, pool, scratch);
  }
}

}  // namespace hfd::cpu
