// A graph compiled for the Vulkan backend: activation buffers planned from value
// lifetimes, weights and constants resolved, and for each token count a command buffer
// recorded once and re-submitted on every call (decode always has one token, so a decode
// step is one submit of a pre-recorded buffer). Per-call values (pos, token ids, the texts
// they form) live in a host-visible parameter buffer that the shaders read. Neighbouring
// ops are merged into one kernel where fusion.h says so (unless `fuse` is false).
// Bound to a KV pool (block_size > 0) it runs multi-sequence calls (RunParams::seqs): the
// paged shader variants read each token's position and its sequence's block table from
// the parameter buffer, and a buffer is recorded per (tokens, sequences) shape.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "backends/vulkan/command_stream.h"
#include "backends/vulkan/fusion.h"
#include "backends/vulkan/kernels.h"
#include "backends/vulkan/vulkan_kv_cache.h"
#include "backends/vulkan/vulkan_weights.h"
#include "engine/runtime/backend.h"

namespace hfd::vk {

// The Device, Kernels, weights and cache it was compiled with must outlive it.
// One caller at a time.
class VulkanExecutable final : public runtime::Executable {
 public:
  static Result<std::unique_ptr<VulkanExecutable>> Create(Device& device, Kernels& kernels,
                                                          const VulkanWeights& weights,
                                                          const runtime::Graph& graph,
                                                          VulkanKvCache& cache, bool fuse = true);

  const runtime::Graph& graph() const override { return graph_; }
  Result<runtime::RunOutput> Run(const runtime::RunParams& params);

  // Dispatches and barriers recorded for a one-sequence call of `ntok` tokens (records it
  // if needed).
  struct StreamCounts {
    int dispatches = 0;
    int barriers = 0;
  };
  Result<StreamCounts> Counts(uint32_t ntok);

 private:
  VulkanExecutable(Device& device, Kernels& kernels, VulkanKvCache& cache)
      : device_(device), kernels_(kernels), cache_(cache) {}
  Status Resolve(const VulkanWeights& weights);
  Status AllocateBuffers(bool fuse);
  // The stream for `ntok` tokens of n_seqs_ sequences.
  Result<CommandStream*> StreamFor(uint32_t ntok);
  // Words of the parameter buffer's paged part (multi-sequence calls).
  uint64_t PagedParamWords() const;
  // Fills the paged part for the call's sequences (the layout of shaders/params.glsl).
  void WritePagedParams(std::span<const runtime::SeqSpan> seqs, uint32_t ntok);
  Status Record(CommandStream& s, uint32_t ntok);
  Status RecordStep(CommandStream& s, const Step& step, uint32_t ntok);
  Status RecordOp(CommandStream& s, size_t index, uint32_t ntok);
  Status RecordRopeAttention(CommandStream& s, size_t first, uint32_t ntok);
  // The ops of `step` one by one (a fusion whose weights cannot share its kernel).
  Status RecordEach(CommandStream& s, const Step& step, uint32_t ntok);
  // The gated kernels' activation of op `act` (swiglu, geglu or clamped_swiglu).
  static GluActivation GluActivationOf(const runtime::Op& act);
  // The attention of op `index` over its layer's cache (already written), reading q from `q`
  // (and its sinks, kSinkAttention).
  Status RecordAttention(CommandStream& s, size_t index, const Buffer& q, uint32_t ntok);
  AttentionShape AttentionShapeOf(const runtime::Op& op) const;
  // kMoeMatMul: the matrix-vector kernel on the route table for few tokens; else the
  // tiled kernel on the pairs grouped by expert, grouping them first when its routes are
  // not those grouped last (gate, up and down share one grouping).
  Status RecordMoeMatMul(CommandStream& s, size_t index, uint32_t ntok);
  static MoeShape MoeShapeOf(const runtime::Op& op) {
    return {static_cast<uint32_t>(op.moe.n_expert), static_cast<uint32_t>(op.moe.top_k),
            op.moe.norm_topk};
  }
  const Buffer& RopeFreqs(const runtime::Op& op) const { return constants_[op.rope.freqs]; }
  static RopeScale RopeScaleOf(const runtime::Op& op) {
    return {op.rope.attn_factor, op.rope.ntk_factor,
            static_cast<uint32_t>(op.rope.ntk_original_ctx)};
  }
  const Buffer& Val(runtime::ValueId id) const { return *value_buffer_[id]; }
  uint32_t Rows(runtime::ValueId id, uint32_t ntok) const;

  Device& device_;
  Kernels& kernels_;
  VulkanKvCache& cache_;
  runtime::Graph graph_;
  int64_t n_vocab_ = 0;
  std::vector<const DeviceTensor*> op_matrix_;  // per op: its matrix weight, if any
  std::vector<const Buffer*> op_vector_;        // per op: its vector weight, if any
  std::vector<Step> matvec_steps_;              // for calls of few tokens
  std::vector<Step> tiled_steps_;               // for the others
  std::vector<Buffer> constants_;
  std::vector<Buffer> slots_;
  Buffer output_;             // the graph's output value, host-visible for read-back
  Buffer params_;             // params.glsl's layout, for max_tokens; host-visible
  Buffer attention_scratch_;  // split attention's parts (Kernels::AttentionParts)
  Buffer moe_group_;          // Kernels::MoeGroup's index, for the tiled kMoeMatMul
  // While recording: the routes value moe_group_ holds the grouping of, if any.
  runtime::ValueId grouped_routes_ = runtime::kNone;
  std::vector<const Buffer*> value_buffer_;
  // Keyed by (tokens, sequences) of the call.
  std::map<std::pair<uint32_t, uint32_t>, std::unique_ptr<CommandStream>> streams_;
  bool paged_ = false;  // bound to a KV pool: calls carry RunParams::seqs
  // The sequences of the call being recorded or run: the rows of Rows::kSequences values.
  uint32_t n_seqs_ = 1;
};

}  // namespace hfd::vk
