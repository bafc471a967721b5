// Activation memory planning shared by backends: assigns every graph value to a reusable
// slot so that values whose lifetimes do not overlap share memory. Without it a 512-token
// prefill of a 22-layer model would hold gigabytes of dead activations.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "engine/runtime/graph.h"

namespace hfd::runtime {

struct MemoryPlan {
  std::vector<int32_t> slot_of;     // per value: the slot it lives in
  std::vector<int64_t> slot_bytes;  // per slot: bytes needed for its largest value
};

// Bytes of one value at the graph's max_tokens (4-byte elements).
int64_t ValueBytes(const Graph& graph, ValueId id);

// A value's slot is never shared with a value that is live at the same time; an op's
// output never shares a slot with its inputs, and the graph's outputs are never reused.
// `group_end` (empty, or one entry per op) is for backends that run several neighbouring
// ops as one kernel: op i's inputs then stay live until op group_end[i] (>= i), so no
// output of the group lands in a slot the fused kernel still reads.
MemoryPlan PlanMemory(const Graph& graph, std::span<const int32_t> group_end = {});

}  // namespace hfd::runtime
