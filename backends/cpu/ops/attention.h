// Grouped-query attention over the CPU KV cache (graph.h, OpKind::kAttention, causal, and
// kTextAttention / kTextCausalAttention, within each text).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "backends/cpu/cpu_kv_cache.h"
#include "backends/cpu/kernels/isa.h"
#include "backends/cpu/kernels/thread_pool.h"
#include "engine/runtime/backend.h"
#include "engine/runtime/graph.h"

namespace hfd::cpu {

struct AttentionInputs {
  const float* q;  // [n_tokens][n_head * head_dim]
  const float* k;  // [n_tokens][n_head_kv * head_dim]
  const float* v;  // [n_tokens][n_head_kv * head_dim]
  float* out;      // [n_tokens][n_head * head_dim]
  int64_t n_tokens;
  int32_t pos;
  // Attention within each text when set: token t attends to keys from text_begin[t] of
  // this call (its own text's first) up to text_end[t] (kTextAttention), or up to itself
  // when text_end is null (kTextCausalAttention); null: causal over the whole cache.
  const int32_t* text_begin = nullptr;
  const int32_t* text_end = nullptr;
  // kSinkAttention: n_head logits, head h's one more term e^(sinks[h]) in its softmax's
  // denominator; null: none.
  const float* sinks = nullptr;
  // A multi-sequence call when not empty (`cache` is then a pool): the tokens are these
  // sequences', token t belongs to seqs[token_seq[t]] and attends causally within it,
  // K/V going through its block table; pos and text_begin/end are not read.
  std::span<const runtime::SeqSpan> seqs{};
  const int32_t* token_seq = nullptr;
};

// Writes k, v into `cache` at pos.. (or each sequence's positions), then attends, with the
// F16 kernels of path `isa`. `scratch` holds one vector per pool thread, grown as needed.
// The caller checked the positions against the cache (ValidateRunParams).
void Attention(Isa isa, const runtime::AttentionAttrs& attrs, const AttentionInputs& in,
               CpuKvCache& cache, ThreadPool& pool, std::vector<std::vector<float>>& scratch);

}  // namespace hfd::cpu
