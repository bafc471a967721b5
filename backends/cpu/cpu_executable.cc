#include "backends/cpu/cpu_executable.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "backends/cpu/epilogue_groups.h"
#include "backends/cpu/kernels/matmul.h"
#include "backends/cpu/ops/attention.h"
#include "backends/cpu/ops/elementwise.h"
#include "backends/cpu/ops/moe.h"
#include "backends/cpu/ops/rope.h"
#include "engine/quant/dequantize.h"
#include "engine/runtime/memory_plan.h"
#include "engine/runtime/top_logits.h"
#include "engine/sampling/sampler.h"

namespace hfd::cpu {

using runtime::OpKind;
using runtime::Rows;

CpuExecutable::CpuExecutable(runtime::Graph graph, std::vector<CpuWeight> weights,
                             CpuKvCache& cache, ThreadPool& pool, ActPrecision activations, Isa isa)
    : graph_(std::move(graph)),
      weights_(std::move(weights)),
      cache_(cache),
      pool_(pool),
      activations_(activations),
      isa_(isa),
      group_end_(EpilogueGroups(graph_)) {
  const runtime::MemoryPlan plan = runtime::PlanMemory(graph_, group_end_);
  for (int64_t bytes : plan.slot_bytes) {
    slots_.push_back(std::make_unique<float[]>(static_cast<size_t>(bytes / 4)));
  }
  value_ptr_.resize(graph_.values.size(), nullptr);
  for (size_t v = 0; v < graph_.values.size(); ++v) {
    if (plan.slot_of[v] != runtime::kNone) value_ptr_[v] = slots_[plan.slot_of[v]].get();
  }
  for (const runtime::Op& op : graph_.ops) {
    if (op.kind == OpKind::kGetRows) n_vocab_ = graph_.weights[op.weight].shape[1];
  }
  same_input_.assign(graph_.ops.size(), false);
  runtime::ValueId last_input = runtime::kNone;
  for (size_t i = 0; i < graph_.ops.size(); ++i) {
    const runtime::Op& op = graph_.ops[i];
    if (op.kind == OpKind::kMatMul) {
      same_input_[i] = op.in[0] == last_input;
      last_input = op.in[0];
    } else if (op.kind == OpKind::kMoeMatMul) {
      last_input = runtime::kNone;  // its products prepare other inputs
    }
  }
}

bool CpuExecutable::SameInput(const runtime::Op& op) const {
  return same_input_[static_cast<size_t>(&op - graph_.ops.data())];
}

int64_t CpuExecutable::RowsOf(runtime::ValueId id, int64_t n_tokens) const {
  switch (graph_.values[id].rows) {
    case Rows::kTokens:
      return n_tokens;
    case Rows::kSequences:
      return n_seqs_;
    case Rows::kOne:
      break;
  }
  return 1;
}

Result<runtime::RunOutput> CpuExecutable::Run(const runtime::RunParams& params) {
  HFD_RETURN_IF_ERROR(runtime::ValidateRunParams(graph_, cache_.desc(), n_vocab_, params));
  const auto n = static_cast<int32_t>(params.tokens.size());
  text_begin_.assign(n, 0);
  text_end_.assign(n, n);
  for (int32_t begin = 0; int32_t len : params.seq_lens) {
    std::fill(text_begin_.begin() + begin, text_begin_.begin() + begin + len, begin);
    std::fill(text_end_.begin() + begin, text_end_.begin() + begin + len, begin + len);
    begin += len;
  }
  n_seqs_ = params.seqs.empty() ? 1 : static_cast<int64_t>(params.seqs.size());
  token_seq_.clear();
  for (size_t s = 0; s < params.seqs.size(); ++s) {
    token_seq_.insert(token_seq_.end(), params.seqs[s].n_tokens, static_cast<int32_t>(s));
  }
  for (int32_t i = 0; i < static_cast<int32_t>(graph_.ops.size()); i = group_end_[i] + 1) {
    const int32_t last = group_end_[i];
    Status s = last == i ? RunOp(graph_.ops[i], params) : RunGroup(i, last, params);
    if (!s.ok()) {
      return s.WithContext(fmt::format("op {}", graph_.values[graph_.ops[last].out].name));
    }
  }
  const int64_t n_tokens = static_cast<int64_t>(params.tokens.size());
  runtime::RunOutput out;
  if (graph_.argmax != runtime::kNone) {
    out.argmax = {static_cast<const int32_t*>(value_ptr_[graph_.argmax]),
                  static_cast<size_t>(RowsOf(graph_.argmax, n_tokens))};
  } else if (graph_.top_logits != runtime::kNone) {
    out.top_logits = {F32(graph_.top_logits),
                      static_cast<size_t>(RowsOf(graph_.top_logits, n_tokens) *
                                          graph_.values[graph_.top_logits].width)};
  } else if (graph_.hidden != runtime::kNone) {
    out.n_embd = graph_.values[graph_.hidden].width;
    out.hidden = {F32(graph_.hidden), static_cast<size_t>(n_tokens * out.n_embd)};
  } else {
    const int64_t width = graph_.values[graph_.logits].width;
    out.logits = {F32(graph_.logits), static_cast<size_t>(RowsOf(graph_.logits, n_tokens) * width)};
    out.n_vocab = width;
  }
  return out;
}

Status CpuExecutable::RunOp(const runtime::Op& op, const runtime::RunParams& params) {
  const int64_t n_tokens = static_cast<int64_t>(params.tokens.size());
  const int64_t rows = RowsOf(op.out, n_tokens);
  const int64_t width = graph_.values[op.out].width;
  const CpuWeight* w = op.weight == runtime::kNone ? nullptr : &weights_[op.weight];
  switch (op.kind) {
    case OpKind::kGetRows:
    case OpKind::kPositionRows:
      return GetRows(op, params, rows, width);
    case OpKind::kRmsNorm:
      RmsNorm(F32(op.in[0]), w->f32.data(), F32(op.out), rows * width, op.norm.group, op.norm.eps);
      return Status::Ok();
    case OpKind::kMatMul:
      return MatMulOnIsa(isa_, w->type, w->MatMulData(), width, graph_.values[op.in[0]].width,
                         F32(op.in[0]), rows, F32(op.out), &pool_, activations_, {},
                         w->MatMulLayout(), SameInput(op));
    case OpKind::kAddBias:
      AddBias(F32(op.in[0]), w->f32.data(), F32(op.out), rows, width);
      return Status::Ok();
    case OpKind::kRope:
    case OpKind::kTextRope:
      RopeTokens(op, params, rows);
      return Status::Ok();
    case OpKind::kAttention:
    case OpKind::kSinkAttention:
    case OpKind::kTextAttention:
    case OpKind::kTextCausalAttention: {
      const bool text =
          op.kind == OpKind::kTextAttention || op.kind == OpKind::kTextCausalAttention;
      const bool whole_text = op.kind == OpKind::kTextAttention;
      Attention(isa_, op.attn,
                {F32(op.in[0]), F32(op.in[1]), F32(op.in[2]), F32(op.out), rows, params.pos,
                 text ? text_begin_.data() : nullptr, whole_text ? text_end_.data() : nullptr,
                 w != nullptr ? w->f32.data() : nullptr, params.seqs, token_seq_.data()},
                cache_, pool_, attention_scratch_);
      return Status::Ok();
    }
    case OpKind::kLayerNorm:
      LayerNormRows(op, nullptr, F32(op.out), rows, width);
      return Status::Ok();
    case OpKind::kGelu:
      Gelu(isa_, F32(op.in[0]), F32(op.out), rows * width);
      return Status::Ok();
    case OpKind::kSwiGLU:
      SwiGLU(F32(op.in[0]), F32(op.in[1]), F32(op.out), rows * width);
      return Status::Ok();
    case OpKind::kGeGLU:
      GeGLU(isa_, F32(op.in[0]), F32(op.in[1]), F32(op.out), rows * width);
      return Status::Ok();
    case OpKind::kScale:
      Scale(F32(op.in[0]), op.scalar, F32(op.out), rows * width);
      return Status::Ok();
    case OpKind::kSoftCap:
      SoftCap(isa_, F32(op.in[0]), op.scalar, F32(op.out), rows * width);
      return Status::Ok();
    case OpKind::kAdd:
      Add(isa_, F32(op.in[0]), F32(op.in[1]), F32(op.out), rows * width);
      return Status::Ok();
    case OpKind::kLastRow:
      LastRows(op, params, width);
      return Status::Ok();
    case OpKind::kArgmax: {
      const int64_t in_width = graph_.values[op.in[0]].width;
      auto* ids = static_cast<int32_t*>(value_ptr_[op.out]);
      for (int64_t r = 0; r < rows; ++r) {
        ids[r] = sampling::Argmax(
            std::span<const float>(F32(op.in[0]) + r * in_width, static_cast<size_t>(in_width)));
      }
      return Status::Ok();
    }
    case OpKind::kMoeRoute:
      MoeRoute(F32(op.in[0]), F32(op.out), rows, op.moe);
      return Status::Ok();
    case OpKind::kMoeMatMul: {
      const std::vector<int64_t>& shape = graph_.weights[op.weight].shape;
      return MoeMatMul(isa_, {w->type, &w->experts, shape[1], shape[0]}, F32(op.in[0]),
                       graph_.values[op.in[0]].width, F32(op.in[1]), op.moe.top_k, rows,
                       F32(op.out), pool_, activations_, moe_scratch_);
    }
    case OpKind::kMoeWeightedSum:
      MoeWeightedSum(F32(op.in[0]), F32(op.in[1]), F32(op.out), rows, width, op.moe.top_k);
      return Status::Ok();
    case OpKind::kSigmoidGate:
      SigmoidGate(F32(op.in[0]), F32(op.in[1]), F32(op.out), rows, width);
      return Status::Ok();
    case OpKind::kClampedSwiGLU:
      ClampedSwiGLU(F32(op.in[0]), F32(op.in[1]), F32(op.out), rows * width, op.glu.alpha,
                    op.glu.limit);
      return Status::Ok();
    case OpKind::kMoeAddBias:
      return MoeAddBias(F32(op.in[0]), F32(op.in[1]), w->f32.data(), F32(op.out), rows,
                        graph_.weights[op.weight].shape[0], op.moe);
    case OpKind::kTopLogits: {
      const int64_t in_width = graph_.values[op.in[0]].width;
      for (int64_t r = 0; r < rows; ++r) {
        const std::span<const float> row(F32(op.in[0]) + r * in_width, in_width);
        runtime::PackTopLogits(runtime::FindTopLogits(row, op.top_k), op.top_k,
                               {F32(op.out) + r * width, static_cast<size_t>(width)});
      }
      return Status::Ok();
    }
  }
  return Internal("unknown op kind in a compiled graph");
}

Status CpuExecutable::RunGroup(int32_t first, int32_t last, const runtime::RunParams& params) {
  const runtime::Op& op = graph_.ops[first];
  const runtime::ValueId out = graph_.ops[last].out;
  const int64_t rows = RowsOf(out, static_cast<int64_t>(params.tokens.size()));
  const int64_t width = graph_.values[out].width;
  // EpilogueGroups puts a bias add, if any, right after the group's first op.
  const runtime::Op& next = graph_.ops[first + 1];
  const float* bias = next.kind == OpKind::kAddBias ? weights_[next.weight].f32.data() : nullptr;
  const CpuWeight& w = weights_[op.weight];
  if (op.kind == OpKind::kLayerNorm) {
    LayerNormRows(op, bias, F32(out), rows, width);
    return Status::Ok();
  }
  const runtime::Op& last_op = graph_.ops[last];
  const MatMulEpilogue epilogue{bias, last_op.kind == OpKind::kGelu,
                                last_op.kind == OpKind::kGeGLU ? F32(last_op.in[0]) : nullptr,
                                last_op.kind == OpKind::kSoftCap ? last_op.scalar : 0.0f};
  return MatMulOnIsa(isa_, w.type, w.MatMulData(), width, graph_.values[op.in[0]].width,
                     F32(op.in[0]), rows, F32(out), &pool_, activations_, epilogue,
                     w.MatMulLayout(), SameInput(op));
}

void CpuExecutable::LayerNormRows(const runtime::Op& op, const float* bias, float* out,
                                  int64_t rows, int64_t width) {
  // Rows are independent, so splitting them changes no result; a few rows stay on this
  // thread, where a hand-off to the pool would cost about what it saves.
  constexpr int64_t kMinPooledElements = int64_t{1} << 14;
  const float* x = F32(op.in[0]);
  const float* w = weights_[op.weight].f32.data();
  auto norm = [&](int64_t begin, int64_t end, int /*thread*/) {
    LayerNorm(isa_, x + begin * width, w, bias, out + begin * width, end - begin, width,
              op.norm.eps);
  };
  if (rows * width < kMinPooledElements) {
    norm(0, rows, 0);
  } else {
    pool_.ParallelFor(rows, norm);
  }
}

void CpuExecutable::RopeTokens(const runtime::Op& op, const runtime::RunParams& params,
                               int64_t rows) {
  const float* freqs = graph_.constants[op.rope.freqs].data();
  if (params.seqs.empty()) {
    Rope(F32(op.in[0]), F32(op.out), rows, params.pos, op.rope, freqs,
         op.kind == OpKind::kTextRope ? text_begin_.data() : nullptr);
    return;
  }
  // Each sequence as its own call would turn it, dynamic NTK scaling included.
  const int64_t width = graph_.values[op.out].width;
  int64_t first = 0;
  for (const runtime::SeqSpan& seq : params.seqs) {
    Rope(F32(op.in[0]) + first * width, F32(op.out) + first * width, seq.n_tokens, seq.pos, op.rope,
         freqs);
    first += seq.n_tokens;
  }
}

void CpuExecutable::LastRows(const runtime::Op& op, const runtime::RunParams& params,
                             int64_t width) {
  const auto copy_row = [&](int64_t to, int64_t from) {
    std::memcpy(F32(op.out) + to * width, F32(op.in[0]) + from * width, width * sizeof(float));
  };
  if (params.seqs.empty() || graph_.values[op.out].rows != Rows::kSequences) {
    copy_row(0, static_cast<int64_t>(params.tokens.size()) - 1);
    return;
  }
  int64_t end = 0;
  for (size_t s = 0; s < params.seqs.size(); ++s) {
    end += params.seqs[s].n_tokens;
    copy_row(static_cast<int64_t>(s), end - 1);
  }
}

Status CpuExecutable::GetRows(const runtime::Op& op, const runtime::RunParams& params, int64_t rows,
                              int64_t width) {
  const CpuWeight& w = weights_[op.weight];
  const int64_t row_bytes = RowBytes(w.type, width);
  // ValidateRunParams checked that every position row exists.
  for (int64_t t = 0; t < rows; ++t) {
    int64_t row = params.tokens[t];
    if (op.kind == OpKind::kPositionRows)
      row = op.fixed_row >= 0 ? op.fixed_row : t - text_begin_[t];
    HFD_RETURN_IF_ERROR(
        DequantizeRow(w.type, w.data + row * row_bytes, F32(op.out) + t * width, width));
  }
  return Status::Ok();
}

}  // namespace hfd::cpu
