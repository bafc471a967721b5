// An architecture-neutral description of a decoder-only transformer, built from GGUF
// metadata or from a Hugging Face config.json. Plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hfd/status.h"

namespace hfd::model {

enum class Architecture {
  kLlama,
  kMistral,
  kQwen2,
  kQwen3,
  kGemma2,
  kGranite,
  kOlmo2,
  kPhi3,
  kBert,
  kNomicBert,
  kQwen2Moe,
  kQwen3Moe,
  kGemma3,
  kGptOss
};

// How an embedding model turns its per-token states into one vector per text.
enum class Pooling { kNone, kMean, kCls, kLast };

// Which dimensions RoPE rotates together.
enum class RopeLayout {
  kInterleaved,  // adjacent pairs (2i, 2i+1): GGUF llama/mistral, whose Q/K rows are permuted
  kHalfSplit,    // (i, i + d/2), "NeoX": Hugging Face checkpoints, GGUF qwen2/qwen3
};

// kLinear, kYarn: per-pair divisors (rope_freq_factors) and, for YaRN, a magnitude on
// cos/sin. kDynamic (NTK, HF configs only): the base grows with the sequence length, so
// the forward pass recomputes the frequencies per call (engine/runtime/rope_freqs.h).
// kLongRope (Phi-3): a short or a long set of divisors, by context size.
enum class RopeScalingType { kNone, kLlama3, kLongRope, kLinear, kYarn, kDynamic };

// The gate's activation in the gated feed-forward block.
enum class FfnActivation {
  kSilu,      // SwiGLU: llama, mistral, qwen
  kGeluTanh,  // GeGLU with tanh-approximated GELU: gemma2
};

struct RopeScaling {
  RopeScalingType type = RopeScalingType::kNone;
  float factor = 1.0f;
  float low_freq_factor = 1.0f;
  float high_freq_factor = 1.0f;
  int64_t original_max_position = 0;
  // longrope (Phi-3): per rotated pair, the frequency divisors for a context of at most
  // original_max_position (short) and for a longer one (long).
  std::vector<float> short_factors;
  std::vector<float> long_factors;
  // YaRN: the pairs that turn more than beta_fast times over the original context keep
  // their frequency, those turning less than beta_slow times are divided by `factor`, and a
  // ramp blends those between (its ends rounded outwards unless !yarn_truncate).
  float beta_fast = 32.0f;
  float beta_slow = 1.0f;
  bool yarn_truncate = true;
  // Multiplies cos and sin (YaRN's and longrope's attention factor, "mscale"); 1 for the
  // other types.
  float attn_factor = 1.0f;
};

struct ModelDesc {
  Architecture arch = Architecture::kLlama;
  int64_t n_vocab = 0;
  int64_t n_embd = 0;
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t head_dim = 0;  // explicit in the source when given (qwen3), else n_embd / n_head
  int64_t n_ff = 0;
  int64_t n_ctx_train = 0;
  float rope_theta = 10000.0f;
  float rms_eps = 1e-5f;
  RopeLayout rope_layout = RopeLayout::kHalfSplit;
  RopeScaling rope_scaling;
  // Per rotated pair i (head_dim / 2 values): the divisor of that pair's frequency
  // theta^(-2i/head_dim). Empty when there is no frequency scaling. Filled for llama3
  // scaling from either source (GGUF stores it as the rope_freqs.weight tensor), so the
  // forward pass needs only this.
  std::vector<float> rope_freq_factors;
  bool tied_embeddings = false;  // no output.weight: the output projection is token_embd
  bool qkv_bias = false;         // attn_q/k/v have biases (qwen2)
  bool qk_norm = false;          // per-head RMS norms of q and k (qwen3)
  int sliding_window = 0;        // 0 = full attention
  // Which layers the window applies to: 0, every layer (mistral); N > 0, every layer but
  // each N-th (layer i is global when (i + 1) % N == 0): gemma2's alternation is 2.
  int sliding_window_pattern = 0;
  FfnActivation ffn_activation = FfnActivation::kSilu;
  // Gemma 2: token embeddings times sqrt(n_embd); RMS norms after attention and after the
  // feed-forward block (post_attention_norm, post_ffw_norm) before each residual add.
  bool scale_embeddings = false;
  bool post_norms = false;
  // Soft-capping, cap * tanh(x / cap), of the attention scores and of the output logits;
  // 0 = none.
  float attn_softcap = 0.0f;
  float final_softcap = 0.0f;
  // Queries are scaled by 1 / sqrt(query_pre_attn_scalar); 0 means head_dim.
  int64_t query_pre_attn_scalar = 0;
  std::vector<int32_t> eos_ids;
  int32_t bos_id = -1;  // -1 when the model has none
  // Granite's multipliers: token embeddings times embedding_scale, each block's attention
  // and feed-forward output times residual_scale before its residual add, attention scores
  // times attention_scale (0: 1 / sqrt(query_pre_attn_scalar or head_dim)), and logits
  // divided by logit_scale. 1 (0 for attention_scale) in other families.
  float embedding_scale = 1.0f;
  float residual_scale = 1.0f;
  float attention_scale = 0.0f;
  float logit_scale = 1.0f;
  // OLMo 2 normalizes only after attention and the feed-forward block (post_norms), with
  // no attn_norm / ffn_norm before them.
  bool pre_norms = true;
  // OLMo 2's q/k norms span all heads at once (n_head * head_dim and n_head_kv * head_dim
  // values) instead of each head (qwen3).
  bool qk_norm_full_width = false;
  // Rotated dimensions at the start of each head (partial rotary: Phi-4-mini); the rest
  // pass through. 0 means all of head_dim.
  int64_t rope_dims = 0;
  // Encoders (BERT): every token attends to its whole text, learned absolute positions
  // and token types, post-LayerNorms with biases (eps in rms_eps), GELU feed-forward; the
  // output is each token's hidden state, pooled into one vector per text.
  bool causal = true;
  int64_t n_token_types = 0;
  Pooling pooling = Pooling::kNone;
  // Mixture of experts (docs/formats.md): n_expert > 0 replaces each layer's feed-forward
  // block by n_expert SwiGLU experts of n_ff_expert, of which a router picks
  // n_expert_used per token, weighted by the softmax of the router's logits (renormalized
  // over the picked ones when expert_weights_norm: Mixtral, Qwen3-MoE). Qwen2-MoE adds a
  // shared expert of n_ff_shared_expert (0: none) scaled by a sigmoid gate.
  int64_t n_expert = 0;
  int64_t n_expert_used = 0;
  int64_t n_ff_expert = 0;
  int64_t n_ff_shared_expert = 0;
  bool expert_weights_norm = false;
  // Gemma 3: the RoPE base of the sliding-window (local) layers, which take no rope scaling;
  // the global layers turn at rope_theta with rope_scaling. 0: every layer as the global.
  float rope_local_theta = 0.0f;
  // gpt-oss: each attention head's learned sink logit (blk.N.attn_sinks.weight) joins its
  // softmax's denominator; the output projection has a bias; the router and every expert
  // projection have biases (per expert); the experts' SwiGLU is clamped (gate at most
  // swiglu_limit, up within +-swiglu_limit) with sigmoid(swiglu_alpha * gate) and up + 1.
  // swiglu_limit 0: the plain SwiGLU.
  bool attn_sinks = false;
  bool attn_output_bias = false;
  bool expert_bias = false;
  float swiglu_limit = 0.0f;
  float swiglu_alpha = 1.0f;
};

// Whether the model's feed-forward blocks are mixtures of experts.
inline bool IsMoe(const ModelDesc& desc) { return desc.n_expert > 0; }

// "none", "mean", "cls", "last".
std::string_view PoolingName(Pooling pooling);

// What every BERT has, whatever the source: non-causal, no RoPE.
void SetBertTraits(ModelDesc& desc);

// BERT and its rotary variant nomic-bert (fused QKV, RoPE instead of learned positions,
// SwiGLU): encoders with token types and post-LayerNorms.
bool IsBertFamily(Architecture arch);

// "llama", "mistral", "qwen2", "qwen3", "gemma2", "granite", "olmo2", "phi3", "bert",
// "nomic-bert", "qwen2moe", "qwen3moe", "gemma3", "gpt-oss".
std::string_view ArchitectureName(Architecture arch);

// Maps a GGUF general.architecture or HF model_type ("llama", "qwen2", "qwen2_moe", ...; HF's
// "mixtral" is a llama with experts) to an Architecture; Unsupported naming the architecture and
// listing the supported ones.
Result<Architecture> ParseArchitecture(std::string_view name);

// What every Gemma 2 has, whatever the source: GeGLU, embeddings times sqrt(n_embd),
// post-norms, the window on every other layer. The sizes, soft-caps and query scalar
// come from the file.
void SetGemma2Traits(ModelDesc& desc);

// What every Gemma 3 has: Gemma 2's GeGLU, scaled embeddings and post-norms, plus q/k
// norms, one global layer in six (the others local, through the window) and the local
// layers' RoPE base 10000. No soft-capping unless the file sets it.
void SetGemma3Traits(ModelDesc& desc);

// Whether layer `layer` is one of Gemma 3's local layers, which rotate at rope_local_theta
// without the model's rope scaling.
bool UsesLocalRope(const ModelDesc& desc, int64_t layer);

// What every gpt-oss has (transformers' GptOssConfig and modeling code, llama.cpp's
// openai-moe): biases on q/k/v/o, the router and the experts; attention sinks; the window on
// every other layer (the first sliding); the clamped SwiGLU (limit 7, alpha 1.702); softmax
// over the picked experts' logits (the renormalized top-k weights); YaRN without rounding
// its ramp's ends (its config's "truncate": false).
void SetGptOssTraits(ModelDesc& desc);

// The norm before the feed-forward block: ffn_norm.weight, or gpt-oss's
// post_attention_norm.weight (llama.cpp's name for it there).
const char* FfnNormName(const ModelDesc& desc);

// What every OLMo 2 has: post-norms only, q/k norms over all heads.
void SetOlmo2Traits(ModelDesc& desc);

// How many values each q / k norm weight holds: head_dim, or all heads' with
// qk_norm_full_width.
int64_t QNormWidth(const ModelDesc& desc);
int64_t KNormWidth(const ModelDesc& desc);
// The dimensions RoPE rotates in each head: rope_dims, or head_dim when that is 0.
int64_t RopeDims(const ModelDesc& desc);

// Whether layer `layer` attends through the sliding window (sliding_window_pattern).
bool UsesSlidingWindow(const ModelDesc& desc, int64_t layer);

// Checks the sizes are positive and consistent (heads divide, head_dim even, ...).
Status ValidateDesc(const ModelDesc& desc);

// Llama 3.1's frequency divisors for each of head_dim / 2 rotated pairs.
std::vector<float> Llama3FreqFactors(const RopeScaling& s, float theta, int64_t head_dim);

// An encoder, or a decoder whose files declare a pooling (Qwen3-Embedding): it computes
// embeddings, and chat or generate on it would give meaningless text.
bool IsEmbeddingModel(const ModelDesc& desc);

}  // namespace hfd::model
