#include "backends/vulkan/vulkan_executable.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "engine/runtime/memory_plan.h"

namespace hfd::vk {

using runtime::Graph;
using runtime::kNone;
using runtime::Op;
using runtime::OpKind;

namespace {

// Token counts whose recorded command buffers are kept; the decode stream (1) always is.
constexpr size_t kMaxStreams = 4;

bool UsesMatrix(OpKind k) {
  return k == OpKind::kGetRows || k == OpKind::kPositionRows || k == OpKind::kMatMul ||
         k == OpKind::kMoeMatMul || k == OpKind::kMoeAddBias;
}
bool UsesVector(OpKind k) {
  return k == OpKind::kRmsNorm || k == OpKind::kLayerNorm || k == OpKind::kAddBias ||
         k == OpKind::kSinkAttention;
}
bool IsAttention(OpKind k) {
  return k == OpKind::kAttention || k == OpKind::kTextAttention ||
         k == OpKind::kTextCausalAttention || k == OpKind::kSinkAttention;
}

}  // namespace

Result<std::unique_ptr<VulkanExecutable>> VulkanExecutable::Create(Device& device, Kernels& kernels,
                                                                   const VulkanWeights& weights,
                                                                   const Graph& graph,
                                                                   VulkanKvCache& cache,
                                                                   bool fuse) {
  const runtime::KvCacheDesc& kv = cache.desc();
  if (graph.n_layer > kv.n_layer || graph.n_head_kv != kv.n_head_kv ||
      graph.head_dim != kv.head_dim) {
    return InvalidArgument("the graph's attention shape does not match the KV cache");
  }
  std::unique_ptr<VulkanExecutable> exe(new VulkanExecutable(device, kernels, cache));
  exe->graph_ = graph;
  exe->paged_ = kv.block_size > 0;
  HFD_RETURN_IF_ERROR(exe->Resolve(weights));
  HFD_RETURN_IF_ERROR(exe->AllocateBuffers(fuse));
  // Record the full-size stream now so shape errors surface at compile time.
  HFD_RETURN_IF_ERROR(exe->StreamFor(static_cast<uint32_t>(graph.max_tokens)).status());
  return exe;
}

Status VulkanExecutable::Resolve(const VulkanWeights& weights) {
  op_matrix_.assign(graph_.ops.size(), nullptr);
  op_vector_.assign(graph_.ops.size(), nullptr);
  for (size_t i = 0; i < graph_.ops.size(); ++i) {
    const Op& op = graph_.ops[i];
    if (op.weight == kNone) continue;
    const std::string& name = graph_.weights[op.weight].name;
    if (UsesMatrix(op.kind)) op_matrix_[i] = weights.Matrix(name);
    if (UsesVector(op.kind)) op_vector_[i] = weights.Vector(name);
    if (op_matrix_[i] == nullptr && op_vector_[i] == nullptr) {
      return InvalidArgument(fmt::format("op {} reads weight {}, which is not loaded as a {}",
                                         runtime::OpName(op.kind), name,
                                         UsesMatrix(op.kind) ? "matrix" : "vector"));
    }
    if (op.kind == OpKind::kGetRows) n_vocab_ = op_matrix_[i]->nrows();
    if (op.kind == OpKind::kMatMul && (op_matrix_[i]->ncols() != graph_.values[op.in[0]].width ||
                                       op_matrix_[i]->nrows() != graph_.values[op.out].width)) {
      return InvalidArgument("matmul weight " + name + " does not match its input/output width");
    }
    if (op.kind == OpKind::kMoeMatMul &&
        op_matrix_[i]->nrows() * op.moe.top_k != graph_.values[op.out].width * op.moe.n_expert) {
      return InvalidArgument("expert weight " + name + " does not match its output width");
    }
    if (op.kind == OpKind::kMoeAddBias &&
        (op_matrix_[i]->nrows() != op.moe.n_expert ||
         op_matrix_[i]->ncols() * op.moe.top_k != graph_.values[op.out].width)) {
      return InvalidArgument("expert bias " + name + " does not match its experts or width");
    }
  }
  if (n_vocab_ == 0) return InvalidArgument("the graph has no embedding lookup (get_rows)");
  for (const Op& op : graph_.ops) {
    if (IsAttention(op.kind) && op.attn.layer >= cache_.desc().n_layer) {
      return InvalidArgument("attention layer outside the KV cache");
    }
    if (paged_ && (op.kind == OpKind::kTextRope || op.kind == OpKind::kPositionRows ||
                   (IsAttention(op.kind) && op.kind != OpKind::kAttention &&
                    op.kind != OpKind::kSinkAttention))) {
      return InvalidArgument(
          "a KV pool serves text generation; graphs over texts (embeddings) take a plain cache");
    }
    if ((op.kind == OpKind::kRope || op.kind == OpKind::kTextRope) &&
        (op.rope.freqs < 0 || op.rope.freqs >= static_cast<int>(graph_.constants.size()))) {
      return InvalidArgument("rope without frequencies");
    }
  }
  return Status::Ok();
}

Status VulkanExecutable::AllocateBuffers(bool fuse) {
  matvec_steps_ = PlanSteps(graph_, /*matvec=*/true, fuse);
  tiled_steps_ = PlanSteps(graph_, /*matvec=*/false, fuse);
  // Fused kernels read their inputs until their last op: plan for both sets of steps.
  std::vector<int32_t> group_end = GroupEnds(matvec_steps_, graph_.ops.size());
  const std::vector<int32_t> tiled_end = GroupEnds(tiled_steps_, graph_.ops.size());
  for (size_t i = 0; i < group_end.size(); ++i) group_end[i] = std::max(group_end[i], tiled_end[i]);

  for (const std::vector<float>& c : graph_.constants) {
    auto b = Buffer::Create(device_, std::max<size_t>(c.size(), 1) * 4, MemoryUse::kHostVisible);
    if (!b.ok()) return b.status();
    if (!c.empty()) std::memcpy(b->mapped(), c.data(), c.size() * 4);
    constants_.push_back(std::move(*b));
  }
  const runtime::MemoryPlan plan = runtime::PlanMemory(graph_, group_end);
  for (int64_t bytes : plan.slot_bytes) {
    HFD_ASSIGN_OR_RETURN(
        Buffer b, Buffer::Create(device_, std::max<int64_t>(bytes, 4), MemoryUse::kDeviceLocal));
    slots_.push_back(std::move(b));
  }
  const runtime::ValueId out = graph_.output();
  if (out == kNone) return InvalidArgument("the graph has no output");
  HFD_ASSIGN_OR_RETURN(
      output_, Buffer::Create(device_, runtime::ValueBytes(graph_, out), MemoryUse::kHostVisible));
  // pos and n_tokens, then per token its id, its text's begin and its text's end; then the
  // paged part of multi-sequence calls.
  HFD_ASSIGN_OR_RETURN(
      params_, Buffer::Create(device_, 8 + 12 * uint64_t(graph_.max_tokens) + 4 * PagedParamWords(),
                              MemoryUse::kHostVisible));
  uint64_t scratch = 4;
  for (const Op& op : graph_.ops) {
    if (!IsAttention(op.kind)) continue;
    const AttentionShape shape = AttentionShapeOf(op);
    for (uint32_t ntok = 1; ntok <= static_cast<uint32_t>(graph_.max_tokens); ++ntok) {
      const uint32_t parts = Kernels::AttentionParts(shape, ntok, cache_.desc().n_ctx);
      if (parts <= 1) break;  // fewer tokens split at least as much as more
      scratch = std::max(scratch, Kernels::AttentionScratchBytes(shape, ntok, parts));
    }
  }
  HFD_ASSIGN_OR_RETURN(attention_scratch_,
                       Buffer::Create(device_, scratch, MemoryUse::kDeviceLocal));
  uint64_t group = 4;
  for (const Op& op : graph_.ops) {
    if (op.kind != OpKind::kMoeMatMul) continue;
    group = std::max(
        group, Kernels::MoeGroupBytes(MoeShapeOf(op), static_cast<uint32_t>(graph_.max_tokens)));
  }
  HFD_ASSIGN_OR_RETURN(moe_group_, Buffer::Create(device_, group, MemoryUse::kDeviceLocal));
  value_buffer_.resize(graph_.values.size());
  for (size_t v = 0; v < graph_.values.size(); ++v) {
    value_buffer_[v] =
        static_cast<runtime::ValueId>(v) == out ? &output_ : &slots_[plan.slot_of[v]];
  }
  return Status::Ok();
}

uint32_t VulkanExecutable::Rows(runtime::ValueId id, uint32_t ntok) const {
  switch (graph_.values[id].rows) {
    case runtime::Rows::kOne:
      return 1;
    case runtime::Rows::kSequences:
      return n_seqs_;
    case runtime::Rows::kTokens:
      break;
  }
  return ntok;
}

Result<CommandStream*> VulkanExecutable::StreamFor(uint32_t ntok) {
  const std::pair<uint32_t, uint32_t> key{ntok, n_seqs_};
  auto it = streams_.find(key);
  if (it != streams_.end()) return it->second.get();
  if (streams_.size() >= kMaxStreams) {
    std::erase_if(streams_, [](const auto& kv) { return kv.first != std::pair(1u, 1u); });
  }
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<CommandStream> s, CommandStream::Begin(device_));
  HFD_RETURN_IF_ERROR(Record(*s, ntok));
  HFD_RETURN_IF_ERROR(s->End());
  CommandStream* raw = s.get();
  streams_.emplace(key, std::move(s));
  return raw;
}

uint64_t VulkanExecutable::PagedParamWords() const {
  if (!paged_) return 0;
  const auto max_tokens = static_cast<uint64_t>(graph_.max_tokens);
  const runtime::KvCacheDesc& kv = cache_.desc();
  // Per token 3 words, the block size, per sequence 1 word (at most one per token), and
  // each sequence's table: at most every block of the pool.
  return 4 * max_tokens + 1 + max_tokens * static_cast<uint64_t>(kv.n_ctx / kv.block_size);
}

void VulkanExecutable::WritePagedParams(std::span<const runtime::SeqSpan> seqs, uint32_t ntok) {
  int32_t* p = static_cast<int32_t*>(params_.mapped()) + 2;  // params.glsl's p_tokens
  const size_t n = ntok;
  int32_t* pos = p + 3 * n;
  int32_t* end = p + 4 * n;
  int32_t* table = p + 5 * n;
  const int32_t block_size = cache_.desc().block_size;
  p[6 * n] = block_size;
  int32_t* last = p + 6 * n + 1;
  auto next_table = static_cast<int32_t>(7 * n + 1);
  int32_t t = 0;
  for (size_t s = 0; s < seqs.size(); ++s) {
    const runtime::SeqSpan& seq = seqs[s];
    const int32_t seq_end = seq.pos + seq.n_tokens;
    // Only the blocks the call reaches (ValidateRunParams checked the table covers them).
    const int32_t blocks = (seq_end + block_size - 1) / block_size;
    std::copy_n(seq.blocks.begin(), blocks, p + next_table);
    for (int32_t i = 0; i < seq.n_tokens; ++i, ++t) {
      pos[t] = seq.pos + i;
      end[t] = seq_end;
      table[t] = next_table;
    }
    last[s] = t - 1;
    next_table += blocks;
  }
}

Status VulkanExecutable::Record(CommandStream& s, uint32_t ntok) {
  grouped_routes_ = kNone;
  for (const Step& step : Kernels::UsesMatVec(ntok) ? matvec_steps_ : tiled_steps_) {
    Status st = RecordStep(s, step, ntok);
    if (!st.ok()) {
      return st.WithContext(
          fmt::format("op {} ({})", step.first, runtime::OpName(graph_.ops[step.first].kind)));
    }
  }
  return Status::Ok();
}

Status VulkanExecutable::RecordStep(CommandStream& s, const Step& step, uint32_t ntok) {
  const size_t f = static_cast<size_t>(step.first);
  const Op& a = graph_.ops[f];
  const Op& last = graph_.ops[f + step.count - 1];
  const uint32_t rows = Rows(last.out, ntok);
  switch (step.kind) {
    case Fusion::kNone:
      return RecordOp(s, f, ntok);
    case Fusion::kAddRmsNorm:
      return kernels_.AddRmsNorm(s, *op_vector_[f + 1], Val(a.in[0]), Val(a.in[1]), Val(a.out),
                                 Val(last.out), static_cast<uint32_t>(graph_.values[a.out].width),
                                 last.norm.eps, rows);
    case Fusion::kMatMulBias:
      return kernels_.MatMulVecBias(s, *op_matrix_[f], *op_vector_[f + 1], Val(a.in[0]),
                                    Val(last.out), rows);
    case Fusion::kGatedMatMul:
    case Fusion::kGatedMoeMatMul:
      if (Kernels::CanGate(*op_matrix_[f], *op_matrix_[f + 1])) {
        if (step.kind == Fusion::kGatedMatMul) {
          return kernels_.MatMulVecGated(s, *op_matrix_[f], *op_matrix_[f + 1], Val(a.in[0]),
                                         Val(last.out), rows, last.kind == OpKind::kGeGLU);
        }
        return kernels_.MoeMatMulVecGated(s, *op_matrix_[f], *op_matrix_[f + 1], Val(a.in[0]),
                                          Val(a.in[1]), Val(last.out), MoeShapeOf(a),
                                          static_cast<uint32_t>(graph_.values[a.in[0]].width), rows,
                                          GluActivationOf(last));
      }
      return RecordEach(s, step, ntok);
    case Fusion::kGatedMoeMatMulBias: {
      const ExpertBiases biases{op_matrix_[f + 1], op_matrix_[f + 3]};
      if (Kernels::CanGate(*op_matrix_[f], *op_matrix_[f + 2]) &&
          Kernels::CanAddExpertBiases(*op_matrix_[f], biases,
                                      static_cast<uint32_t>(a.moe.n_expert))) {
        return kernels_.MoeMatMulVecGated(s, *op_matrix_[f], *op_matrix_[f + 2], Val(a.in[0]),
                                          Val(a.in[1]), Val(last.out), MoeShapeOf(a),
                                          static_cast<uint32_t>(graph_.values[a.in[0]].width), rows,
                                          GluActivationOf(last), biases);
      }
      return RecordEach(s, step, ntok);
    }
    case Fusion::kRopeAttention:
      return RecordRopeAttention(s, f, ntok);
  }
  return Unsupported("unknown fusion");
}

Status VulkanExecutable::RecordEach(CommandStream& s, const Step& step, uint32_t ntok) {
  for (int32_t i = step.first; i < step.first + step.count; ++i) {
    HFD_RETURN_IF_ERROR(RecordOp(s, static_cast<size_t>(i), ntok));
  }
  return Status::Ok();
}

GluActivation VulkanExecutable::GluActivationOf(const Op& act) {
  switch (act.kind) {
    case OpKind::kGeGLU:
      return {GluActivation::Kind::kGeGLU, {}};
    case OpKind::kClampedSwiGLU:
      return {GluActivation::Kind::kClampedSwiGLU, act.glu};
    default:
      return {};
  }
}

Status VulkanExecutable::RecordRopeAttention(CommandStream& s, size_t first, uint32_t ntok) {
  const Op& rope_q = graph_.ops[first];
  const Op& attn = graph_.ops[first + 2];
  const AttentionShape shape = AttentionShapeOf(attn);
  const Buffer& k_cache = cache_.k(attn.attn.layer);
  const Buffer& v_cache = cache_.v(attn.attn.layer);
  const RopeKvShape rope{.n_head = shape.n_head,
                         .n_head_kv = shape.n_head_kv,
                         .head_dim = shape.head_dim,
                         .interleaved = rope_q.rope.layout == runtime::RopeLayout::kInterleaved,
                         .kv = shape.kv,
                         .n_rot = static_cast<uint32_t>(rope_q.rope.n_rot),
                         .scale = RopeScaleOf(rope_q),
                         .paged = paged_};
  HFD_RETURN_IF_ERROR(kernels_.RopeKvStore(s, RopeFreqs(rope_q), Val(rope_q.in[0]),
                                           Val(graph_.ops[first + 1].in[0]), Val(attn.in[2]),
                                           Val(rope_q.out), k_cache, v_cache, params_, rope, ntok));
  return RecordAttention(s, first + 2, Val(rope_q.out), ntok);
}

Status VulkanExecutable::RecordAttention(CommandStream& s, size_t index, const Buffer& q,
                                         uint32_t ntok) {
  const Op& op = graph_.ops[index];
  const AttentionShape shape = AttentionShapeOf(op);
  const uint32_t parts = Kernels::AttentionParts(shape, ntok, cache_.desc().n_ctx);
  return kernels_.Attention(s, q, cache_.k(op.attn.layer), cache_.v(op.attn.layer), Val(op.out),
                            params_, shape, ntok, parts, &attention_scratch_, op_vector_[index]);
}

AttentionShape VulkanExecutable::AttentionShapeOf(const Op& op) const {
  const runtime::AttentionAttrs& a = op.attn;
  const AttentionMask mask = op.kind == OpKind::kTextAttention         ? AttentionMask::kText
                             : op.kind == OpKind::kTextCausalAttention ? AttentionMask::kTextCausal
                                                                       : AttentionMask::kCausal;
  return AttentionShape{static_cast<uint32_t>(a.n_head),
                        static_cast<uint32_t>(a.n_head_kv),
                        static_cast<uint32_t>(a.head_dim),
                        static_cast<uint32_t>(a.sliding_window),
                        a.scale,
                        cache_.desc().type,
                        a.softcap,
                        mask,
                        paged_};
}

Status VulkanExecutable::RecordOp(CommandStream& s, size_t index, uint32_t ntok) {
  const Op& op = graph_.ops[index];
  const Buffer& out = Val(op.out);
  const uint32_t width = static_cast<uint32_t>(graph_.values[op.out].width);
  const uint32_t rows = Rows(op.out, ntok);
  switch (op.kind) {
    case OpKind::kGetRows:
      return kernels_.GetRows(s, *op_matrix_[index], params_, out, ntok);
    case OpKind::kPositionRows: {
      const TableRow row =
          op.fixed_row >= 0 ? TableRow{TableRow::From::kFixed, static_cast<uint32_t>(op.fixed_row)}
                            : TableRow{TableRow::From::kTextPosition};
      return kernels_.GetRows(s, *op_matrix_[index], params_, out, ntok, row);
    }
    case OpKind::kRmsNorm:
      return kernels_.RmsNorm(s, *op_vector_[index], Val(op.in[0]), out, width,
                              static_cast<uint32_t>(op.norm.group), op.norm.eps, rows);
    case OpKind::kLayerNorm:
      return kernels_.LayerNorm(s, *op_vector_[index], Val(op.in[0]), out, width, op.norm.eps,
                                rows);
    case OpKind::kMatMul:
      return kernels_.MatMul(s, *op_matrix_[index], Val(op.in[0]), out, rows);
    case OpKind::kAddBias:
      return kernels_.AddBias(s, Val(op.in[0]), *op_vector_[index], out, width, rows);
    case OpKind::kRope:
    case OpKind::kTextRope:
      return kernels_.Rope(s, RopeFreqs(op), Val(op.in[0]), out, params_, op.rope.n_head,
                           op.rope.head_dim, op.rope.layout == runtime::RopeLayout::kInterleaved,
                           rows, static_cast<uint32_t>(op.rope.n_rot), RopeScaleOf(op),
                           op.kind == OpKind::kTextRope, paged_);
    case OpKind::kAttention:
    case OpKind::kSinkAttention:
    case OpKind::kTextAttention:
    case OpKind::kTextCausalAttention: {
      const AttentionShape shape = AttentionShapeOf(op);
      const Buffer& k_cache = cache_.k(op.attn.layer);
      const Buffer& v_cache = cache_.v(op.attn.layer);
      HFD_RETURN_IF_ERROR(kernels_.KvStore(s, Val(op.in[1]), Val(op.in[2]), k_cache, v_cache,
                                           params_, shape.n_head_kv * shape.head_dim, ntok,
                                           shape.kv, paged_));
      return RecordAttention(s, index, Val(op.in[0]), ntok);
    }
    case OpKind::kSwiGLU:
      return kernels_.SwiGLU(s, Val(op.in[0]), Val(op.in[1]), out, width * rows);
    case OpKind::kGeGLU:
      return kernels_.GeGLU(s, Val(op.in[0]), Val(op.in[1]), out, width * rows);
    case OpKind::kGelu:
      return kernels_.Gelu(s, Val(op.in[0]), out, width * rows);
    case OpKind::kScale:
      return kernels_.Scalar(s, "scale", Val(op.in[0]), out, width * rows, op.scalar);
    case OpKind::kSoftCap:
      return kernels_.Scalar(s, "softcap", Val(op.in[0]), out, width * rows, op.scalar);
    case OpKind::kAdd:
      return kernels_.Add(s, Val(op.in[0]), Val(op.in[1]), out, width * rows);
    case OpKind::kLastRow: {
      if (paged_ && graph_.values[op.out].rows == runtime::Rows::kSequences) {
        return kernels_.LastRows(s, Val(op.in[0]), out, params_, width, rows);
      }
      const uint32_t in_rows = Rows(op.in[0], ntok);
      return kernels_.Copy(s, Val(op.in[0]), out, width, (in_rows - 1) * width, 0);
    }
    case OpKind::kArgmax: {
      const auto in_width = static_cast<uint32_t>(graph_.values[op.in[0]].width);
      return kernels_.Argmax(s, Val(op.in[0]), out, in_width, Rows(op.in[0], ntok));
    }
    case OpKind::kTopLogits: {
      const auto in_width = static_cast<uint32_t>(graph_.values[op.in[0]].width);
      return kernels_.TopLogits(s, Val(op.in[0]), out, in_width, Rows(op.in[0], ntok),
                                static_cast<uint32_t>(op.top_k));
    }
    case OpKind::kMoeRoute:
      return kernels_.MoeRoute(s, Val(op.in[0]), out, MoeShapeOf(op), rows);
    case OpKind::kMoeMatMul:
      return RecordMoeMatMul(s, index, ntok);
    case OpKind::kMoeWeightedSum:
      return kernels_.MoeWeightedSum(s, Val(op.in[0]), Val(op.in[1]), out, width,
                                     static_cast<uint32_t>(op.moe.top_k), rows);
    case OpKind::kSigmoidGate:
      return kernels_.SigmoidGate(s, Val(op.in[0]), Val(op.in[1]), out, width, rows);
    case OpKind::kClampedSwiGLU:
      return kernels_.ClampedSwiGLU(s, Val(op.in[0]), Val(op.in[1]), out, width * rows, op.glu);
    case OpKind::kMoeAddBias:
      return kernels_.MoeAddBias(s, *op_matrix_[index], Val(op.in[0]), Val(op.in[1]), out,
                                 MoeShapeOf(op), width / static_cast<uint32_t>(op.moe.top_k), rows);
  }
  return Unsupported("unknown op");
}

Status VulkanExecutable::RecordMoeMatMul(CommandStream& s, size_t index, uint32_t ntok) {
  const Op& op = graph_.ops[index];
  const MoeShape moe = MoeShapeOf(op);
  const auto x_width = static_cast<uint32_t>(graph_.values[op.in[0]].width);
  const uint32_t rows = Rows(op.out, ntok);
  const Buffer& routes = Val(op.in[1]);
  if (Kernels::UsesMatVec(rows)) {
    return kernels_.MoeMatMulVec(s, *op_matrix_[index], Val(op.in[0]), routes, Val(op.out), moe,
                                 x_width, rows);
  }
  if (grouped_routes_ != op.in[1]) {
    HFD_RETURN_IF_ERROR(kernels_.MoeGroup(s, routes, moe_group_, moe, rows));
    grouped_routes_ = op.in[1];
  }
  return kernels_.MoeMatMulTiled(s, *op_matrix_[index], Val(op.in[0]), moe_group_, Val(op.out), moe,
                                 x_width, rows);
}

Result<VulkanExecutable::StreamCounts> VulkanExecutable::Counts(uint32_t ntok) {
  if (ntok < 1 || ntok > static_cast<uint32_t>(graph_.max_tokens)) {
    return InvalidArgument(fmt::format("a call takes 1 to {} tokens", graph_.max_tokens));
  }
  n_seqs_ = 1;
  HFD_ASSIGN_OR_RETURN(CommandStream * s, StreamFor(ntok));
  return StreamCounts{s->dispatch_count(), s->barrier_count()};
}

Result<runtime::RunOutput> VulkanExecutable::Run(const runtime::RunParams& params) {
  HFD_RETURN_IF_ERROR(runtime::ValidateRunParams(graph_, cache_.desc(), n_vocab_, params));
  const auto ntok = static_cast<uint32_t>(params.tokens.size());
  auto* words = static_cast<uint32_t*>(params_.mapped());
  words[0] = static_cast<uint32_t>(params.pos);
  words[1] = ntok;
  std::memcpy(words + 2, params.tokens.data(), ntok * sizeof(int32_t));
  uint32_t* text_begin = words + 2 + ntok;
  uint32_t* text_end = text_begin + ntok;
  if (params.seq_lens.empty()) {
    std::fill_n(text_begin, ntok, 0u);
    std::fill_n(text_end, ntok, ntok);
  }
  for (uint32_t begin = 0; int32_t len : params.seq_lens) {
    const uint32_t end = begin + static_cast<uint32_t>(len);
    std::fill(text_begin + begin, text_begin + end, begin);
    std::fill(text_end + begin, text_end + end, end);
    begin = end;
  }
  n_seqs_ = params.seqs.empty() ? 1 : static_cast<uint32_t>(params.seqs.size());
  if (!params.seqs.empty()) WritePagedParams(params.seqs, ntok);
  HFD_ASSIGN_OR_RETURN(CommandStream * s, StreamFor(ntok));
  HFD_RETURN_IF_ERROR(s->Submit());

  runtime::RunOutput out;
  if (graph_.argmax != kNone) {
    out.argmax = {static_cast<const int32_t*>(output_.mapped()), Rows(graph_.argmax, ntok)};
  } else if (graph_.top_logits != kNone) {
    out.top_logits = {static_cast<const float*>(output_.mapped()),
                      static_cast<size_t>(graph_.values[graph_.top_logits].width)};
  } else if (graph_.hidden != kNone) {
    out.n_embd = graph_.values[graph_.hidden].width;
    out.hidden = {static_cast<const float*>(output_.mapped()),
                  Rows(graph_.hidden, ntok) * static_cast<size_t>(out.n_embd)};
  } else {
    out.n_vocab = graph_.values[graph_.logits].width;
    out.logits = {static_cast<const float*>(output_.mapped()),
                  Rows(graph_.logits, ntok) * static_cast<size_t>(out.n_vocab)};
  }
  return out;
}

}  // namespace hfd::vk
