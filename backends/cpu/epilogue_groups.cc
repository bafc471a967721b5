#include "backends/cpu/epilogue_groups.h"

namespace hfd::cpu {

using runtime::OpKind;

std::vector<int32_t> EpilogueGroups(const runtime::Graph& graph) {
  const auto n_ops = static_cast<int32_t>(graph.ops.size());
  std::vector<int32_t> readers(graph.values.size(), 0);
  for (const runtime::Op& op : graph.ops) {
    for (runtime::ValueId in : op.in) {
      if (in != runtime::kNone) ++readers[in];
    }
  }
  // Op i's output can stay unwritten when op i + 1, of kind `next`, is its one reader, as
  // input `slot` (and it is not the graph's output). A GeGLU reads the product as its up
  // (slot 1); its gate, an earlier value, is read in the epilogue.
  auto feeds_only = [&](int32_t i, OpKind next, int slot = 0) {
    if (i + 1 >= n_ops) return false;
    const runtime::Op& op = graph.ops[i];
    const runtime::Op& reader = graph.ops[i + 1];
    return reader.kind == next && reader.in[slot] == op.out && readers[op.out] == 1 &&
           op.out != graph.output();
  };
  std::vector<int32_t> end(n_ops);
  for (int32_t i = 0; i < n_ops;) {
    int32_t last = i;
    const OpKind kind = graph.ops[i].kind;
    if (kind == OpKind::kMatMul || kind == OpKind::kLayerNorm) {
      if (feeds_only(last, OpKind::kAddBias)) ++last;
      if (kind == OpKind::kMatMul &&
          (feeds_only(last, OpKind::kGelu) || feeds_only(last, OpKind::kSoftCap) ||
           feeds_only(last, OpKind::kGeGLU, 1))) {
        ++last;
      }
    }
    for (int32_t k = i; k <= last; ++k) end[k] = last;
    i = last + 1;
  }
  return end;
}

}  // namespace hfd::cpu
