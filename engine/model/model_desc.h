// An architecture-neutral description of a decoder-only transformer, built from GGUF
// metadata or from a Hugging Face config.json. Plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hfd/status.h"

namespace hfd::model {

enum class Architecture { kLlama, kMistral, kQwen2, kQwen3, kGemma2, kBert, kNomicBert };

// How an embedding model turns its per-token states into one vector per text.
enum class Pooling { kNone, kMean, kCls, kLast };

// Which dimensions RoPE rotates together.
enum class RopeLayout {
  kInterleaved,  // adjacent pairs (2i, 2i+1): GGUF llama/mistral, whose Q/K rows are permuted
  kHalfSplit,    // (i, i + d/2), "NeoX": Hugging Face checkpoints, GGUF qwen2/qwen3
};

enum class RopeScalingType { kNone, kLlama3 };

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
  // Encoders (BERT): every token attends to its whole text, learned absolute positions
  // and token types, post-LayerNorms with biases (eps in rms_eps), GELU feed-forward; the
  // output is each token's hidden state, pooled into one vector per text.
  bool causal = true;
  int64_t n_token_types = 0;
  Pooling pooling = Pooling::kNone;
};

// "none", "mean", "cls", "last".
std::string_view PoolingName(Pooling pooling);

// What every BERT has, whatever the source: non-causal, no RoPE.
void SetBertTraits(ModelDesc& desc);

// BERT and its rotary variant nomic-bert (fused QKV, RoPE instead of learned positions,
// SwiGLU): encoders with token types and post-LayerNorms.
bool IsBertFamily(Architecture arch);

// "llama", "mistral", "qwen2", "qwen3", "gemma2".
std::string_view ArchitectureName(Architecture arch);

// Maps a GGUF general.architecture or HF model_type ("llama", "qwen2", ...) to an
// Architecture; Unsupported naming the architecture and listing the supported ones.
Result<Architecture> ParseArchitecture(std::string_view name);

// What every Gemma 2 has, whatever the source: GeGLU, embeddings times sqrt(n_embd),
// post-norms, the window on every other layer. The sizes, soft-caps and query scalar
// come from the file.
void SetGemma2Traits(ModelDesc& desc);

// Whether layer `layer` attends through the sliding window (sliding_window_pattern).
bool UsesSlidingWindow(const ModelDesc& desc, int64_t layer);

// Checks the sizes are positive and consistent (heads divide, head_dim even, ...).
Status ValidateDesc(const ModelDesc& desc);

// Llama 3.1's frequency divisors for each of head_dim / 2 rotated pairs.
std::vector<float> Llama3FreqFactors(const RopeScaling& s, float theta, int64_t head_dim);

}  // namespace hfd::model
