// The compute graph: the forward pass of a model as a flat list of ops over named
// activation values, built ONCE per (model, batch shape) by the architecture code
// (graph_builder.h) and executed by a Backend (backend.h) as many times as needed.
//
// What is fixed in a graph: the ops, their order, every width, every attribute and
// the maximum number of tokens per call (`max_tokens`). What is NOT in the graph and
// arrives with each call (RunParams): the token ids, how many there are (n_tokens,
// 1 <= n_tokens <= max_tokens) and the position of the first one (pos). The KV length
// an attention op sees is pos + n_tokens. So a backend can compile or record a graph
// once (the Vulkan backend records the decode graph into a command buffer) and replay
// it for every token, with the per-call values in a small uniform/push-constant block.
//
// Values are single-assignment: every op writes a fresh value and never modifies its
// inputs, so a backend may plan buffer reuse from liveness (memory_plan.h) and fuse
// neighbouring ops freely. Every value is a row-major matrix of float32 (argmax: int32)
// with `rows` rows of `width` elements; one row per token unless the value is one row.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/quant/tensor_type.h"

namespace hfd::runtime {

using ValueId = int32_t;   // index into Graph::values
using WeightId = int32_t;  // index into Graph::weights
using ConstId = int32_t;   // index into Graph::constants
inline constexpr int32_t kNone = -1;

enum class OpKind : uint8_t {
  // out[t] = row tokens[t] of the embedding weight, dequantized to float32.
  // No value inputs: reads RunParams::tokens. weight: [n_embd, n_vocab] (GGML order).
  kGetRows,
  // out = x / sqrt(mean(x^2) + eps) * weight, computed independently over each group of
  // `norm.group` consecutive elements of a row (group == width: the usual RMSNorm;
  // group == head_dim: Qwen3's per-head q/k norm). weight holds `group` elements.
  kRmsNorm,
  // out[t] = W · in[t]. weight: shape {in width, out width} (GGML order: shape[0] is the
  // row length), any TensorType the backend Supports(); rows stay in their stored form.
  kMatMul,
  // out[t] = in[t] + bias. weight: a vector of `width` elements (any float type).
  kAddBias,
  // Rotary position embedding of each of `rope.n_head` heads of `rope.head_dim` in a row,
  // at position pos + t. The first d = rope.n_rot elements of a head (all when n_rot is 0)
  // are rotated, the rest copied (partial rotary). Pair i of a head (0 <= i < d/2) is
  // rotated by the angle (pos + t) * constants[rope.freqs][i] (those rescaled per call
  // under dynamic NTK), with cos and sin times rope.attn_factor; the pair is elements
  // (2i, 2i+1) for kInterleaved and (i, i + d/2) for kHalfSplit.
  kRope,
  // Causal grouped-query attention through the KV cache. inputs: q [n_head*head_dim],
  // k and v [n_head_kv*head_dim] (k already roped). First writes k[t], v[t] into cache
  // layer `attn.layer` at position pos + t (converting to the cache type), then for every
  // token t and query head h (KV head h / (n_head / n_head_kv)) computes
  //   softmax_j(cap(scale * q·K[j])) · V[j] over j in [lo, pos + t], lo = 0, or
  //   max(0, pos + t - sliding_window + 1) when sliding_window > 0,
  // reading K/V back from the cache (so the keys of this call are rounded like older ones);
  // cap(s) = softcap * tanh(s / softcap), or s when softcap is 0 (Gemma 2).
  // out: [n_head*head_dim].
  kAttention,
  // out = silu(in0) * in1, elementwise (silu(x) = x / (1 + e^-x)).
  kSwiGLU,
  // out = gelu(in0) * in1, elementwise, with GELU's tanh approximation
  // gelu(x) = x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) (Gemma's GeGLU).
  kGeGLU,
  // out = in * scalar, elementwise (Gemma's embeddings times sqrt(n_embd)).
  kScale,
  // out = scalar * tanh(in / scalar), elementwise (Gemma 2's final logit soft-capping).
  kSoftCap,
  // out = in0 + in1, elementwise (residual connections).
  kAdd,
  // out (one row) = in[n_tokens - 1]: the last token's row, before the output head. With
  // out of Rows::kSequences: out[s] = the row of sequence s's last token (RunParams::seqs).
  kLastRow,
  // out[t] (int32, width 1) = index of the largest element of in[t]; the first on ties.
  kArgmax,
  // out[t] (width 2 * top_k + 1) = the ids of the top_k largest elements of in[t] (the
  // lower id first among equals) as floats, those elements, then the logsumexp of in[t];
  // NaN elements are ignored (engine/runtime/top_logits.h).
  kTopLogits,
  // out = (x - mean(x)) / sqrt(var(x) + eps) * weight over each row (BERT's LayerNorm;
  // its bias is a following kAddBias). weight holds `width` elements; norm.group = width.
  kLayerNorm,
  // out = gelu(in), elementwise, the exact form x/2 * (1 + erf(x / sqrt(2))) (BERT).
  kGelu,
  // out[t] = row r of the weight ([width, rows], any type get_rows takes), r = t's position
  // within its text (RunParams::seq_lens) when fixed_row < 0, else fixed_row: learned
  // absolute positions, and BERT's token type 0.
  kPositionRows,
  // Non-causal attention (encoders): like kAttention (same attrs, writes k and v to the
  // cache the same way; sliding_window and softcap must be 0), but token t attends to
  // every token of its own text (RunParams::seq_lens), before and after it.
  kTextAttention,
  // Like kRope, but at each token's position within its own text (RunParams::seq_lens),
  // so texts computed together each start at 0 (nomic-bert, decoder embedders).
  kTextRope,
  // Causal attention within each text (decoder embedders): like kAttention (same attrs,
  // cache writes), but token t attends only to the tokens of its own text up to itself,
  // and the sliding window counts from there.
  kTextCausalAttention,
  // Mixture-of-experts routing (moe attrs). in: router logits [n_expert] per token. out[t]
  // (width 2 * top_k): the ids of the top_k largest logits, largest first (the lower id
  // first among equals, so ties are broken the same on every backend), as floats; then
  // their weights: the softmax over all n_expert logits at the picked ids, divided by the
  // picked ones' sum when moe.norm_topk.
  kMoeRoute,
  // The indexed-expert product ("mul_mat_id"). in0: x, of width `cols` (every slot reads the
  // token's row) or top_k * cols (slot s reads its own part); in1: kMoeRoute's output.
  // weight: the experts stacked, shape {cols, rows, n_expert}. out[t] (width top_k * rows):
  // part s = W[id s of t] · x (slot s). Only the picked experts' weights are read.
  kMoeMatMul,
  // out[t] = sum over slots s of weight s of t (in1: kMoeRoute's output) * in0[t] part s;
  // in0 has width top_k * width.
  kMoeWeightedSum,
  // out[t] = in0[t] * sigmoid(in1[t][0]); in1 has width 1 (Qwen2-MoE's shared-expert gate).
  kSigmoidGate,
  // gpt-oss's attention: kAttention (same attrs, inputs and cache writes) whose softmax has
  // one more term in its denominator per query head h, e^(sink[h]), the head's learned
  // "sink" logit: softmax over the scores and the sink, the sink's share dropped. weight:
  // the sinks, a vector of n_head floats.
  kSinkAttention,
  // gpt-oss's clamped SwiGLU, elementwise: g = min(in0, glu.limit), u = clamp(in1, -limit,
  // limit), out = (u + 1) * g * sigmoid(glu.alpha * g).
  kClampedSwiGLU,
  // Per-expert biases: out[t] part s = in0[t] part s + bias of expert (id s of t) (in1:
  // kMoeRoute's output); in0 has width top_k * rows. weight: shape {rows, n_expert}.
  kMoeAddBias,
};

// Human-readable op name ("matmul", ...), for errors and logs.
std::string_view OpName(OpKind kind);

enum class ValueType : uint8_t { kF32, kI32 };

enum class Rows : uint8_t {
  kTokens,  // n_tokens rows (per call)
  kOne,     // exactly one row
  // one row per sequence of the call (RunParams::seqs; one when it has none), at most
  // max_tokens: the last-token values of multi-sequence graphs
  kSequences,
};

struct Value {
  std::string name;  // for debugging: "blk.3.attn_q", "logits", ...
  int64_t width = 0;
  Rows rows = Rows::kTokens;
  ValueType type = ValueType::kF32;
};

// A weight the graph reads, by its canonical (GGUF) tensor name. The type and shape are
// those of the loaded model file, recorded so a backend can check support before running.
struct WeightRef {
  std::string name;
  TensorType type{};
  std::vector<int64_t> shape;  // GGML order: shape[0] = row length
};

enum class RopeLayout : uint8_t {
  kInterleaved,  // pairs (2i, 2i+1): GGUF llama/mistral Q and K
  kHalfSplit,    // pairs (i, i + d/2): NeoX; HF checkpoints, GGUF qwen2/qwen3
};

struct NormAttrs {
  float eps = 0.0f;
  int64_t group = 0;  // elements normalised together; divides the width
};

struct RopeAttrs {
  int32_t n_head = 0;
  int32_t head_dim = 0;
  RopeLayout layout = RopeLayout::kHalfSplit;
  ConstId freqs = kNone;     // n_rot/2 inverse frequencies (rope scaling already applied)
  int32_t n_rot = 0;         // rotated elements at the start of each head; 0 = head_dim
  float attn_factor = 1.0f;  // multiplies cos and sin (YaRN's and longrope's magnitude)
  // Dynamic NTK scaling when ntk_factor > 0: a call ending past ntk_original_ctx positions
  // scales the frequencies by DynamicNtkBaseScale (rope_freqs.h) of its end position.
  float ntk_factor = 0.0f;
  int32_t ntk_original_ctx = 0;
};

struct AttentionAttrs {
  int32_t layer = 0;  // KV cache layer written and read
  int32_t n_head = 0;
  int32_t n_head_kv = 0;  // divides n_head
  int32_t head_dim = 0;
  int32_t sliding_window = 0;  // 0: attend to every earlier position
  float scale = 0.0f;          // usually 1/sqrt(head_dim)
  float softcap = 0.0f;        // 0: scores are not capped
};

struct MoeAttrs {
  int32_t n_expert = 0;
  int32_t top_k = 0;  // experts per token, 1..n_expert
  bool norm_topk = false;
};

struct ClampedGluAttrs {
  float alpha = 1.0f;  // sigmoid(alpha * gate)
  float limit = 0.0f;  // gate <= limit, -limit <= up <= limit
};

struct Op {
  OpKind kind{};
  ValueId in[3] = {kNone, kNone, kNone};
  ValueId out = kNone;
  WeightId weight = kNone;
  NormAttrs norm;          // kRmsNorm
  RopeAttrs rope;          // kRope
  AttentionAttrs attn;     // kAttention
  int32_t top_k = 0;       // kTopLogits
  float scalar = 0.0f;     // kScale, kSoftCap
  int32_t fixed_row = -1;  // kPositionRows
  MoeAttrs moe;            // kMoeRoute, kMoeMatMul, kMoeWeightedSum, kMoeAddBias
  ClampedGluAttrs glu;     // kClampedSwiGLU
};

// An op of `kind` reading up to three values and a weight; attributes default, no output.
inline Op MakeOp(OpKind kind, ValueId in0 = kNone, ValueId in1 = kNone, ValueId in2 = kNone,
                 WeightId weight = kNone) {
  Op op;
  op.kind = kind;
  op.in[0] = in0;
  op.in[1] = in1;
  op.in[2] = in2;
  op.weight = weight;
  return op;
}

// What the graph hands back after a call.
enum class GraphOutput : uint8_t {
  kLastLogits,  // logits of the last token only (sampling)
  kAllLogits,   // logits of every token (scoring, conformance)
  kLastArgmax,  // only the id of the last token's largest logit (greedy decode)
  // only the last token's kMaxTopLogits largest logits, their ids and the logsumexp
  // (greedy decode with log-probabilities)
  kLastTopLogits,
  // the final hidden state of every token (embedding models pool it into one vector per
  // text)
  kAllHidden,
};

struct Graph {
  int32_t max_tokens = 1;  // n_tokens of any call is in [1, max_tokens]
  std::vector<Value> values;
  std::vector<WeightRef> weights;
  std::vector<std::vector<float>> constants;
  std::vector<Op> ops;  // in execution order; an op's inputs are outputs of earlier ops
  GraphOutput output_kind = GraphOutput::kLastLogits;
  // Exactly one is set: the logits value (kLastLogits, kAllLogits), the argmax value, the
  // top-logits value or the hidden states.
  ValueId logits = kNone;
  ValueId argmax = kNone;
  ValueId top_logits = kNone;
  ValueId hidden = kNone;  // kAllHidden
  // Whichever of those is set.
  ValueId output() const {
    return logits != kNone   ? logits
           : argmax != kNone ? argmax
           : hidden != kNone ? hidden
                             : top_logits;
  }
  // The KV cache shape the attention ops expect (layers, KV heads, head_dim).
  int32_t n_layer = 0;
  int32_t n_head_kv = 0;
  int32_t head_dim = 0;
};

}  // namespace hfd::runtime
