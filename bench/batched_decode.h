// Aggregate decode speed of several sequences decoded together through one
// runtime::SequenceBatch (continuous batching, issue 19): the engine-side figure that
// engine_bench reports and that serve_bench holds the daemon's concurrent clients to.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "engine/model/model_files.h"
#include "engine/runtime/backend.h"
#include "include/hfd/status.h"

namespace hfd::bench {

// One sequence per prompt: each prompt is prefilled on its own (not timed), then `steps`
// greedy steps of one token per sequence are timed. Returns tokens/s over all sequences,
// llama-batched-bench's S_TG.
Result<double> BatchedDecodeRate(runtime::Backend& backend, const model::ModelFiles& files,
                                 std::span<const std::vector<int32_t>> prompts, int steps);

}  // namespace hfd::bench
