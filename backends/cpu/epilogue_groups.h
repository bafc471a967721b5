// Which neighbouring ops of a graph the CPU backend runs as one: a matrix product with the
// bias add and the GELU, soft-capping or GeGLU (the product as its up) that follow it
// (MatMulEpilogue), and a LayerNorm with its bias add. The graph's values are single-assignment, so
// a value read only by the next op of its group need never be written; the group's first op writes
// the group's last value directly.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/runtime/graph.h"

namespace hfd::cpu {

// Per op: the last op of the group that contains it (the op itself when it runs alone), as
// runtime::PlanMemory's group_end takes it.
std::vector<int32_t> EpilogueGroups(const runtime::Graph& graph);

}  // namespace hfd::cpu
