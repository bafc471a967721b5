#include "engine/runtime/backend.h"

#include <algorithm>

#include <fmt/format.h>

namespace hfd::runtime {

Status CheckSupported(const Backend& backend, const Graph& graph) {
  for (const Op& op : graph.ops) {
    const TensorType type = op.weight == kNone ? TensorType::kF32 : graph.weights[op.weight].type;
    if (!backend.Supports(op.kind, type)) {
      std::string what =
          fmt::format("the {} backend cannot run op {}", backend.name(), OpName(op.kind));
      if (op.weight != kNone) {
        what +=
            fmt::format(" on weight {} of type {}", graph.weights[op.weight].name, TypeName(type));
      }
      return Unsupported(what + "; use another backend or a model file of another type");
    }
  }
  return Status::Ok();
}

bool IsMultiSequence(const Graph& graph) {
  return std::ranges::any_of(graph.values,
                             [](const Value& v) { return v.rows == Rows::kSequences; });
}

namespace {

// The multi-sequence part of ValidateRunParams: every sequence has tokens, and a block
// table of pool blocks that covers them.
Status ValidateSeqs(const Graph& graph, const KvCacheDesc& cache, const RunParams& params) {
  if (params.seqs.empty()) {
    if (cache.block_size > 0) {
      return InvalidArgument(
          "a KV pool is read only by multi-sequence calls; pass RunParams::seqs");
    }
    return Status::Ok();
  }
  if (cache.block_size <= 0 || !IsMultiSequence(graph)) {
    return InvalidArgument(
        "a multi-sequence call needs a KV pool (block_size > 0) and a graph built with "
        "GraphOptions::multi_sequence");
  }
  if (params.pos != 0 || !params.seq_lens.empty()) {
    return InvalidArgument(
        "a multi-sequence call takes positions from its sequences, not pos or "
        "seq_lens");
  }
  const int64_t n_blocks = cache.n_ctx / cache.block_size;
  int64_t total = 0;
  for (const SeqSpan& seq : params.seqs) {
    if (seq.n_tokens < 1 || seq.pos < 0) {
      return InvalidArgument(
          "every sequence of a call needs at least one token and a position >= 0");
    }
    total += seq.n_tokens;
    const int64_t end = int64_t{seq.pos} + seq.n_tokens;
    if (end > static_cast<int64_t>(seq.blocks.size()) * cache.block_size) {
      return InvalidArgument(fmt::format(
          "positions up to {} need {} blocks of {}, the block table holds {}; reserve them first",
          end - 1, (end + cache.block_size - 1) / cache.block_size, cache.block_size,
          seq.blocks.size()));
    }
    for (int32_t block : seq.blocks) {
      if (block < 0 || block >= n_blocks) {
        return InvalidArgument(
            fmt::format("block {} is outside the pool of {} blocks", block, n_blocks));
      }
    }
  }
  if (total != static_cast<int64_t>(params.tokens.size())) {
    return InvalidArgument(fmt::format("the sequences of a call hold {} tokens, not the call's {}",
                                       total, params.tokens.size()));
  }
  return Status::Ok();
}

}  // namespace

Status ValidateRunParams(const Graph& graph, const KvCacheDesc& cache, int64_t n_vocab,
                         const RunParams& params) {
  const int64_t n = static_cast<int64_t>(params.tokens.size());
  if (n < 1 || n > graph.max_tokens) {
    return InvalidArgument(fmt::format("a call takes 1 to {} tokens, got {}", graph.max_tokens, n));
  }
  HFD_RETURN_IF_ERROR(ValidateSeqs(graph, cache, params));
  if (params.pos < 0 || params.pos + n > cache.n_ctx) {
    return InvalidArgument(fmt::format(
        "positions {}..{} do not fit the context of {} tokens; start a new conversation "
        "or load the model with a larger context",
        params.pos, params.pos + n - 1, cache.n_ctx));
  }
  int64_t in_texts = 0;
  for (int32_t len : params.seq_lens) {
    if (len < 1) return InvalidArgument("every text of a call needs at least one token");
    in_texts += len;
  }
  if (!params.seq_lens.empty() && in_texts != n) {
    return InvalidArgument(
        fmt::format("the texts of a call hold {} tokens, not the call's {}", in_texts, n));
  }
  // Rows of learned-position tables (kPositionRows) must exist: backends read them blindly.
  int64_t longest = params.seq_lens.empty() ? n : 0;
  for (int32_t len : params.seq_lens) longest = std::max<int64_t>(longest, len);
  for (const Op& op : graph.ops) {
    if (op.kind != OpKind::kPositionRows) continue;
    const int64_t rows = graph.weights[op.weight].shape[1];
    if (op.fixed_row >= rows) {
      return InvalidArgument(fmt::format("row {} of weight {} is beyond its {} rows", op.fixed_row,
                                         graph.weights[op.weight].name, rows));
    }
    if (op.fixed_row < 0 && longest > rows) {
      return InvalidArgument(fmt::format(
          "a text of {} tokens is longer than the model's {} positions; shorten the text", longest,
          rows));
    }
  }
  for (int32_t id : params.tokens) {
    if (id < 0 || id >= n_vocab) {
      return InvalidArgument(
          fmt::format("token id {} is outside the vocabulary of {} tokens", id, n_vocab));
    }
  }
  return Status::Ok();
}

}  // namespace hfd::runtime
