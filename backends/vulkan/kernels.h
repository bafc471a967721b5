// Records hfd's compute ops into a CommandStream: one method per op, each choosing the
// shader variant (weight type) and dispatch shape. Shapes are checked here so a bad call
// is an error, not a GPU fault.
#pragma once

#include <cstdint>

#include "backends/vulkan/command_stream.h"
#include "backends/vulkan/pipeline_cache.h"
#include "backends/vulkan/tensor_buffer.h"
#include "engine/runtime/backend.h"

namespace hfd::vk {

// The keys a query attends to (attention.comp's MASK): every earlier position of the cache
// (kAttention), those of its own text up to itself (kTextCausalAttention), or its whole
// text (kTextAttention).
enum class AttentionMask : uint32_t { kCausal, kTextCausal, kText };

struct AttentionShape {
  uint32_t n_head = 0;
  uint32_t n_head_kv = 0;
  uint32_t head_dim = 0;  // <= 256
  uint32_t window = 0;    // 0: no sliding window
  float scale = 0.0f;
  runtime::KvType kv = runtime::KvType::kF16;  // the cache's element type
  float softcap = 0.0f;                        // 0: scores are not capped
  AttentionMask mask = AttentionMask::kCausal;
  // Multi-sequence calls: every token sees its own sequence's positions through its block
  // table (the params' paged part); mask kCausal only.
  bool paged = false;
};

// Which row of a table GetRows reads for token t (get_rows.comp's ROW_SOURCE).
struct TableRow {
  enum class From : uint32_t { kTokenId, kTextPosition, kFixed };
  From from = From::kTokenId;
  uint32_t fixed = 0;  // the row, for kFixed
};

// RoPE scaling beyond the frequency table (runtime::RopeAttrs' fields of the same names).
struct RopeScale {
  float attn_factor = 1.0f;
  float ntk_factor = 0.0f;
  uint32_t ntk_original_ctx = 0;
};

// The shape of RopeKvStore: q has n_head heads, k and v n_head_kv, all of head_dim.
struct RopeKvShape {
  uint32_t n_head = 0;
  uint32_t n_head_kv = 0;
  uint32_t head_dim = 0;
  bool interleaved = false;
  runtime::KvType kv = runtime::KvType::kF16;
  uint32_t n_rot = 0;  // rotated elements of each head; 0 = head_dim
  RopeScale scale;
  bool paged = false;  // each token at its sequence's position, stored through its block table
};

// A mixture-of-experts op's shape (runtime::MoeAttrs).
struct MoeShape {
  uint32_t n_expert = 0;
  uint32_t top_k = 0;  // slots (experts) per token
  bool norm_topk = false;
};

// The activation of a gated expert kernel (mul_mat_vec.comp's GLU_ACT): act(gate) * up, or
// gpt-oss's clamped SwiGLU of gate and up.
struct GluActivation {
  enum class Kind : uint32_t { kSwiGLU, kGeGLU, kClampedSwiGLU };
  Kind kind = Kind::kSwiGLU;
  runtime::ClampedGluAttrs clamp;  // kClampedSwiGLU's alpha and limit
};

// Per-expert biases added to a gated expert kernel's gate and up products before the
// activation: each one row of floats per expert (CanAddExpertBiases).
struct ExpertBiases {
  const DeviceTensor* gate = nullptr;
  const DeviceTensor* up = nullptr;
};

// Owns the pipelines it creates. The Device must outlive it. Not thread-safe.
// Activations are float32 rows; `ntok` is the number of rows (tokens) of a call.
// Ops that read the per-call position, token ids or texts take the `params` buffer
// (layout: uint pos, uint n_tokens, int tokens[n_tokens], then per token the first and
// one past the last token of its text: int text_begin[n_tokens], int text_end[n_tokens]).
// Multi-sequence calls (RunParams::seqs) go on with the paged part that the `paged`
// variants read (shaders/params.glsl): per token its position, its sequence's end in the
// call and the start of its block table; the block size; per sequence its last token;
// the block tables.
class Kernels {
 public:
  explicit Kernels(Device& device);

  // True when matrix weights of `type` have shaders.
  static bool SupportsWeightType(TensorType type);
  // Prefill matmuls on cooperative matrices (mul_mat_coopmat.comp) instead of the
  // portable tiled kernel; only for a device whose coopmat() is available.
  Status UseCoopMat(bool on);
  bool coopmat() const { return coopmat_; }
  // True when MatMul uses the matrix-vector kernel for `ntok` tokens.
  static bool UsesMatVec(uint32_t ntok);

  // y[t] = W . x[t]; picks the matrix-vector kernel for few tokens (UsesMatVec), the tiled
  // one else.
  Status MatMul(CommandStream& s, const DeviceTensor& w, const Buffer& x, const Buffer& y,
                uint32_t ntok);
  Status MatMulVec(CommandStream& s, const DeviceTensor& w, const Buffer& x, const Buffer& y,
                   uint32_t ntok);
  Status MatMulTiled(CommandStream& s, const DeviceTensor& w, const Buffer& x, const Buffer& y,
                     uint32_t ntok);
  // y[t] = W . x[t] + bias, with the matrix-vector kernel.
  Status MatMulVecBias(CommandStream& s, const DeviceTensor& w, const Buffer& bias, const Buffer& x,
                       const Buffer& y, uint32_t ntok);
  // True when `gate` and `up` can share one gated kernel: same type and shape, each in
  // one buffer.
  static bool CanGate(const DeviceTensor& gate, const DeviceTensor& up);
  // y[t] = act(G . x[t]) * (U . x[t]), with the matrix-vector kernel; needs CanGate. act is
  // silu, or tanh-approximated GELU when `gelu` (GeGLU).
  Status MatMulVecGated(CommandStream& s, const DeviceTensor& gate, const DeviceTensor& up,
                        const Buffer& x, const Buffer& y, uint32_t ntok, bool gelu);
  // y[t] = row tokens[t] of w (embedding lookup), or the row `row` says.
  Status GetRows(CommandStream& s, const DeviceTensor& w, const Buffer& params, const Buffer& y,
                 uint32_t ntok, TableRow row = {});
  // RMSNorm over groups of `group` elements of rows of `width`; w: `group` floats.
  Status RmsNorm(CommandStream& s, const Buffer& w, const Buffer& x, const Buffer& y,
                 uint32_t width, uint32_t group, float eps, uint32_t ntok);
  // LayerNorm (without its bias) over whole rows of `width`; w: `width` floats.
  Status LayerNorm(CommandStream& s, const Buffer& w, const Buffer& x, const Buffer& y,
                   uint32_t width, float eps, uint32_t ntok);
  // sum = a + b, and out = RMSNorm of sum over whole rows of `width` (one dispatch).
  Status AddRmsNorm(CommandStream& s, const Buffer& w, const Buffer& a, const Buffer& b,
                    const Buffer& sum, const Buffer& out, uint32_t width, float eps, uint32_t ntok);
  Status Add(CommandStream& s, const Buffer& a, const Buffer& b, const Buffer& out, uint32_t n);
  Status AddBias(CommandStream& s, const Buffer& x, const Buffer& bias, const Buffer& out,
                 uint32_t width, uint32_t ntok);
  Status SwiGLU(CommandStream& s, const Buffer& gate, const Buffer& up, const Buffer& out,
                uint32_t n);
  // out = gelu(gate) * up, GELU in its tanh approximation.
  Status GeGLU(CommandStream& s, const Buffer& gate, const Buffer& up, const Buffer& out,
               uint32_t n);
  // gpt-oss's clamped SwiGLU (graph.h's kClampedSwiGLU) over n elements.
  Status ClampedSwiGLU(CommandStream& s, const Buffer& gate, const Buffer& up, const Buffer& out,
                       uint32_t n, const runtime::ClampedGluAttrs& glu);
  // out = gelu(x) over n elements, GELU in its exact (erf) form.
  Status Gelu(CommandStream& s, const Buffer& x, const Buffer& out, uint32_t n);
  // out = x * scalar ("scale") or scalar * tanh(x / scalar) ("softcap") over n elements.
  Status Scalar(CommandStream& s, const char* shader, const Buffer& x, const Buffer& out,
                uint32_t n, float scalar);
  // Token t at position pos + t, or at its position within its text when `per_text`, or
  // at its sequence's position when `paged`.
  Status Rope(CommandStream& s, const Buffer& freqs, const Buffer& x, const Buffer& out,
              const Buffer& params, uint32_t n_head, uint32_t head_dim, bool interleaved,
              uint32_t ntok, uint32_t n_rot = 0, const RopeScale& scale = {}, bool per_text = false,
              bool paged = false);
  // Writes k, v rows (n_head_kv * head_dim floats each) at positions pos + t of a cache of
  // `kv` elements, or when `paged` at each token's row through its block table.
  Status KvStore(CommandStream& s, const Buffer& k, const Buffer& v, const Buffer& k_cache,
                 const Buffer& v_cache, const Buffer& params, uint32_t kv_width, uint32_t ntok,
                 runtime::KvType kv = runtime::KvType::kF16, bool paged = false);
  // q_out = rope(q); rope(k) and v written to the cache at positions pos + t: Rope of q
  // and k, then KvStore, in one dispatch.
  Status RopeKvStore(CommandStream& s, const Buffer& freqs, const Buffer& q, const Buffer& k,
                     const Buffer& v, const Buffer& q_out, const Buffer& k_cache,
                     const Buffer& v_cache, const Buffer& params, const RopeKvShape& shape,
                     uint32_t ntok);
  // With parts > 1 the keys are split into that many parts (flash-decoding: more
  // workgroups), each written to `scratch`, then merged: two dispatches. `sinks`
  // (kSinkAttention): n_head logits, head h's e^sinks[h] one more term of its softmax's
  // denominator; null: none.
  Status Attention(CommandStream& s, const Buffer& q, const Buffer& k_cache, const Buffer& v_cache,
                   const Buffer& out, const Buffer& params, const AttentionShape& shape,
                   uint32_t ntok, uint32_t parts = 1, const Buffer* scratch = nullptr,
                   const Buffer* sinks = nullptr);
  // How many parts Attention should split the keys of a call into: decode gives one
  // workgroup per query head, too few for a large GPU, so calls of few tokens over a long
  // cache (n_ctx positions) split; everything else takes 1.
  static uint32_t AttentionParts(const AttentionShape& shape, uint32_t ntok, uint32_t n_ctx);
  // Bytes of `scratch` Attention needs for `parts` parts.
  static uint64_t AttentionScratchBytes(const AttentionShape& shape, uint32_t ntok, uint32_t parts);
  // out[r] (int32) = argmax of row r of x.
  Status Argmax(CommandStream& s, const Buffer& x, const Buffer& out, uint32_t width,
                uint32_t rows);
  // out[r] (2k+1 floats, packed as runtime::PackTopLogits) = the k largest elements of row
  // r of x with their indices, and its logsumexp; k <= runtime::kMaxTopLogits.
  Status TopLogits(CommandStream& s, const Buffer& x, const Buffer& out, uint32_t width,
                   uint32_t rows, uint32_t k);
  Status Copy(CommandStream& s, const Buffer& src, const Buffer& dst, uint32_t n,
              uint32_t src_offset, uint32_t dst_offset);
  // out[s] = x[the last token of sequence s] for the `rows` sequences of a multi-sequence
  // call (the params' paged part); rows of `width` floats.
  Status LastRows(CommandStream& s, const Buffer& x, const Buffer& out, const Buffer& params,
                  uint32_t width, uint32_t rows);

  // Mixture of experts (graph.h's kMoe* ops). `routes` is a kMoeRoute table: per token
  // 2 * top_k floats, the picked ids then their weights.
  // routes[t] = the route of router logits x[t] (n_expert wide); top_k <= 64.
  Status MoeRoute(CommandStream& s, const Buffer& x, const Buffer& routes, const MoeShape& moe,
                  uint32_t ntok);
  // y[t] part s = W[expert s of t] . x[t] (x_width == w's columns), or . part s of x[t]
  // (x_width == top_k * columns), for `w` the experts stacked by rows (rows a multiple of
  // n_expert, each chunk whole experts). The matrix-vector kernel reading `routes`: only
  // the picked experts' rows are read (decode).
  Status MoeMatMulVec(CommandStream& s, const DeviceTensor& w, const Buffer& x,
                      const Buffer& routes, const Buffer& y, const MoeShape& moe, uint32_t x_width,
                      uint32_t ntok);
  // y[t] part s = act(G_e . x + g_e, U_e . x + u_e), e expert s of t: MoeMatMulVec over an
  // MLP's gate and up experts in one pass; needs CanGate. g and u: `biases`' rows of e, or
  // 0 without them (which need CanAddExpertBiases).
  Status MoeMatMulVecGated(CommandStream& s, const DeviceTensor& gate, const DeviceTensor& up,
                           const Buffer& x, const Buffer& routes, const Buffer& y,
                           const MoeShape& moe, uint32_t x_width, uint32_t ntok,
                           const GluActivation& act, const ExpertBiases& biases = {});
  // True when `biases` can join the gated kernel of experts of `gate`'s shape: float32, one
  // row of gate's rows per expert, each in one buffer.
  static bool CanAddExpertBiases(const DeviceTensor& gate, const ExpertBiases& biases,
                                 uint32_t n_expert);
  // Bytes of the index MoeGroup writes for `ntok` tokens.
  static uint64_t MoeGroupBytes(const MoeShape& moe, uint32_t ntok);
  // Groups the (token, slot) pairs of `routes` by expert into `group`, for MoeMatMulTiled.
  Status MoeGroup(CommandStream& s, const Buffer& routes, const Buffer& group, const MoeShape& moe,
                  uint32_t ntok);
  // MoeMatMulVec's product with the tiled kernel over the pairs MoeGroup grouped into
  // `group`: each expert's weights are read once per 64 of its pairs (prefill).
  Status MoeMatMulTiled(CommandStream& s, const DeviceTensor& w, const Buffer& x,
                        const Buffer& group, const Buffer& y, const MoeShape& moe, uint32_t x_width,
                        uint32_t ntok);
  // out[t] = sum over slots s of weight s of t * part s of x[t] (top_k parts of `width`).
  Status MoeWeightedSum(CommandStream& s, const Buffer& x, const Buffer& routes, const Buffer& out,
                        uint32_t width, uint32_t top_k, uint32_t ntok);
  // out[t] part s = x[t] part s + row e of `bias` (e expert s of t), parts of `width`;
  // `bias` has one row per expert, of a float type (SupportsExpertBiasType), in one buffer.
  Status MoeAddBias(CommandStream& s, const DeviceTensor& bias, const Buffer& x,
                    const Buffer& routes, const Buffer& out, const MoeShape& moe, uint32_t width,
                    uint32_t ntok);
  static bool SupportsExpertBiasType(TensorType type);
  // out[t] = x[t] * sigmoid(gate[t]), gate one float per token.
  Status SigmoidGate(CommandStream& s, const Buffer& x, const Buffer& gate, const Buffer& out,
                     uint32_t width, uint32_t ntok);

 private:
  // RMSNorm, or LayerNorm when `center` (rms_norm.comp's CENTER).
  Status Norm(CommandStream& s, const Buffer& w, const Buffer& x, const Buffer& y, uint32_t width,
              uint32_t group, float eps, uint32_t ntok, bool center);
  Status Elementwise(CommandStream& s, const char* shader, const Buffer& a, const Buffer& b,
                     const Buffer& out, uint32_t n, uint32_t width, float scalar = 0.0f,
                     std::vector<uint32_t> spec = {});
  // The matrix-vector kernel `variant` (mul_mat_vec, _bias, _glu) over the chunks of w,
  // with `extra` (the bias, or the up matrix's buffer) at binding 3; `glu_gelu` is _glu's
  // activation (1 GeGLU, 0 SwiGLU).
  Status MatVec(CommandStream& s, const char* variant, const DeviceTensor& w, const Buffer& x,
                const Buffer& y, uint32_t ntok, const Buffer* extra, uint32_t glu_gelu = 0);
  // How MoeMatMul runs: the matrix-vector kernel on the route table, the same with the
  // gate's up matrix (`up`, then the activation and the biases, if any), or the tiled one
  // on the group index.
  struct MoeKernel {
    bool tiled = false;
    const DeviceTensor* up = nullptr;
    GluActivation act;
    ExpertBiases biases;
  };
  // The per-chunk dispatch of the expert matmuls, `index` the route table or the group
  // index.
  Status MoeMatMul(CommandStream& s, const DeviceTensor& w, const Buffer& x, const Buffer& index,
                   const Buffer& y, const MoeShape& moe, uint32_t x_width, uint32_t ntok,
                   MoeKernel kernel);
  Result<const Pipeline*> WeightPipeline(const char* op, TensorType type, uint32_t bindings,
                                         uint32_t push_bytes, std::vector<uint32_t> spec = {});

  Device& device_;
  PipelineCache cache_;
  bool coopmat_ = false;
};

// Checks that a buffer holds at least `floats` 4-byte elements.
Status CheckFits(const Buffer& b, uint64_t floats, const char* what);

}  // namespace hfd::vk
