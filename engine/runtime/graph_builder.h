// The forward pass of the decoder-only architectures hfd runs (Llama, Mistral, Qwen2,
// Qwen3, Gemma 2 and 3, Phi-3), written once as a Graph over canonical weight names. Their
// differences are data in ModelDesc (biases, q/k norm, RoPE layout and scaling, sliding window,
// tied head, Gemma's post-norms, GeGLU, scaled embeddings and soft-capping, partial rotary and
// longrope, Gemma 3's local RoPE base); no
// branch here depends on the backend.
#pragma once

#include <cstdint>

#include "engine/runtime/graph.h"
#include "include/hfd/status.h"

namespace hfd::model {
class ModelFiles;
}

namespace hfd::runtime {

struct GraphOptions {
  int32_t max_tokens = 1;  // 1 for decode; the prefill batch size otherwise
  GraphOutput output = GraphOutput::kLastLogits;
  // The context size in use; picks longrope's short or long factors. 0: the model's
  // trained context.
  int64_t n_ctx = 0;
  // Text generation over several sequences per call (RunParams::seqs): the last-token
  // values (last_row, argmax, top_logits) get one row per sequence (Rows::kSequences).
  bool multi_sequence = false;
};

// Builds the graph for `files` (read for its description and the type and shape of every
// weight; not retained). InvalidArgument for bad options, Unsupported for an architecture
// or configuration the builder does not handle, Corrupt when a weight is missing or has
// the wrong shape.
Result<Graph> BuildGraph(const model::ModelFiles& files, const GraphOptions& options);

}  // namespace hfd::runtime
