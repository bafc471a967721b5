// A graph compiled for the CPU: weights resolved to pointers into the model's memory map
// (norm and bias vectors converted to float once), activation slots planned and allocated,
// ops dispatched in order on every Run. Owned by the caller of CpuBackend::Compile;
// borrows the model files, KV cache and thread pool, which must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "backends/cpu/cpu_kv_cache.h"
#include "backends/cpu/kernels/isa.h"
#include "backends/cpu/kernels/matmul.h"
#include "backends/cpu/kernels/thread_pool.h"
#include "engine/runtime/backend.h"

namespace hfd::cpu {

// A weight as the CPU ops read it.
struct CpuWeight {
  TensorType type{};
  const uint8_t* data = nullptr;  // in place, in its stored type
  std::vector<float> f32;         // float copy, for norm and bias vectors only
  // Stacked experts ({cols, rows, experts}): where each expert's rows begin, in place.
  std::vector<const uint8_t*> experts;
  // The kernels' interleaved copy (rows16_layout.h) that matrix products read instead of
  // `data`, or null. Row lookups read `data` either way: a tied embedding/output matrix is
  // looked up in GGUF's layout and multiplied from the copy.
  const uint8_t* rows16 = nullptr;

  const uint8_t* MatMulData() const { return rows16 != nullptr ? rows16 : data; }
  WeightLayout MatMulLayout() const {
    return rows16 != nullptr ? WeightLayout::kRows16 : WeightLayout::kGguf;
  }
};

class CpuExecutable final : public runtime::Executable {
 public:
  // `weights` are resolved in the order of graph.weights; `activations` is how finely
  // matrix products quantize their inputs (matmul.h); `isa` the kernel path (supported).
  CpuExecutable(runtime::Graph graph, std::vector<CpuWeight> weights, CpuKvCache& cache,
                ThreadPool& pool, ActPrecision activations, Isa isa);

  const runtime::Graph& graph() const override { return graph_; }

  Result<runtime::RunOutput> Run(const runtime::RunParams& params);

 private:
  Status RunOp(const runtime::Op& op, const runtime::RunParams& params);
  // Ops first..last as one (EpilogueGroups): a matrix product or LayerNorm with the bias
  // add and GELU after it.
  Status RunGroup(int32_t first, int32_t last, const runtime::RunParams& params);
  // kLayerNorm `op` (then + bias where not null) into `out`, rows split over the pool.
  void LayerNormRows(const runtime::Op& op, const float* bias, float* out, int64_t rows,
                     int64_t width);
  Status GetRows(const runtime::Op& op, const runtime::RunParams& params, int64_t rows,
                 int64_t width);
  float* F32(runtime::ValueId id) { return reinterpret_cast<float*>(value_ptr_[id]); }
  int64_t RowsOf(runtime::ValueId id, int64_t n_tokens) const;
  // Rope of kRope: per sequence at its own positions in a multi-sequence call.
  void RopeTokens(const runtime::Op& op, const runtime::RunParams& params, int64_t rows);
  // True for a kMatMul `op` whose input is the previous product's: x_unchanged (matmul.h).
  bool SameInput(const runtime::Op& op) const;
  // kLastRow: the last token's row, or each sequence's.
  void LastRows(const runtime::Op& op, const runtime::RunParams& params, int64_t width);

  runtime::Graph graph_;
  std::vector<CpuWeight> weights_;
  CpuKvCache& cache_;
  ThreadPool& pool_;
  ActPrecision activations_;
  Isa isa_;
  std::vector<int32_t> group_end_;  // EpilogueGroups of graph_
  // Per op: a product of the same input as the product before it (SameInput).
  std::vector<bool> same_input_;
  int64_t n_vocab_ = 0;
  std::vector<std::unique_ptr<float[]>> slots_;
  std::vector<void*> value_ptr_;
  std::vector<std::vector<float>> attention_scratch_;
  std::vector<float> moe_scratch_;
  // Per token of the current call: where its text begins and ends (RunParams::seq_lens).
  std::vector<int32_t> text_begin_, text_end_;
  // Sequences of the current call (1 without RunParams::seqs) and, in a multi-sequence
  // call, each token's sequence index.
  int64_t n_seqs_ = 1;
  std::vector<int32_t> token_seq_;
};

}  // namespace hfd::cpu
