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

Status ValidateRunParams(const Graph& graph, const KvCacheDesc& cache, int64_t n_vocab,
                         const RunParams& params) {
  const int64_t n = static_cast<int64_t>(params.tokens.size());
  if (n < 1 || n > graph.max_tokens) {
    return InvalidArgument(fmt::format("a call takes 1 to {} tokens, got {}", graph.max_tokens, n));
  }
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
