// What a long new prompt costs the conversations already decoding in a SharedBatch (issue
// 19's chunked prefill): `streams` conversations decode on their own threads; once each has
// a few tokens, a new conversation feeds a `prompt`-token prompt. Measured: the new one's
// time to first token, and the longest gap between two tokens of a running one while it
// was prefilled, against the median gap before.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "engine/model/model_files.h"
#include "engine/runtime/backend.h"
#include "hfd/status.h"

namespace hfd::bench {

struct TtftGapOptions {
  int streams = 4;         // conversations decoding meanwhile
  int stream_prompt = 32;  // their prompts' tokens
  int prompt = 512;        // the new prompt's tokens
  int chunk_tokens = 256;  // prompt tokens per step; 0: the whole prompt in one step
};

// {"chunk_tokens", "ttft_ms", "worst_gap_ms", "median_gap_before_ms"}.
Result<nlohmann::json> MeasureTtftGap(runtime::Backend& backend, const model::ModelFiles& files,
                                      const TtftGapOptions& options);

}  // namespace hfd::bench
