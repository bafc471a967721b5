#include "engine/model/model_desc.h"

#include <cmath>
#include <numbers>

namespace hfd::model {

std::string_view ArchitectureName(Architecture arch) {
  switch (arch) {
    case Architecture::kLlama:
      return "llama";
    case Architecture::kMistral:
      return "mistral";
    case Architecture::kQwen2:
      return "qwen2";
    case Architecture::kQwen3:
      return "qwen3";
    case Architecture::kGemma2:
      return "gemma2";
    case Architecture::kGranite:
      return "granite";
    case Architecture::kOlmo2:
      return "olmo2";
    case Architecture::kPhi3:
      return "phi3";
    case Architecture::kBert:
      return "bert";
    case Architecture::kNomicBert:
      return "nomic-bert";
    case Architecture::kQwen2Moe:
      return "qwen2moe";
    case Architecture::kQwen3Moe:
      return "qwen3moe";
    case Architecture::kGemma3:
      return "gemma3";
    case Architecture::kGptOss:
      return "gpt-oss";
  }
  return "unknown";
}

Result<Architecture> ParseArchitecture(std::string_view name) {
  if (name == "llama") return Architecture::kLlama;
  if (name == "mistral") return Architecture::kMistral;
  if (name == "qwen2") return Architecture::kQwen2;
  if (name == "qwen3") return Architecture::kQwen3;
  if (name == "gemma2") return Architecture::kGemma2;
  if (name == "granite") return Architecture::kGranite;
  if (name == "olmo2") return Architecture::kOlmo2;
  if (name == "phi3") return Architecture::kPhi3;
  if (name == "bert") return Architecture::kBert;
  // GGUF's general.architecture, then HF's model_type.
  if (name == "nomic-bert" || name == "nomic_bert") return Architecture::kNomicBert;
  if (name == "qwen2moe" || name == "qwen2_moe") return Architecture::kQwen2Moe;
  if (name == "qwen3moe" || name == "qwen3_moe") return Architecture::kQwen3Moe;
  // HF's Mixtral is Mistral's layers with experts; GGUF stores it as llama.
  if (name == "mixtral") return Architecture::kLlama;
  // GGUF's and Gemma3ForConditionalGeneration's "gemma3", Gemma3ForCausalLM's "gemma3_text".
  if (name == "gemma3" || name == "gemma3_text") return Architecture::kGemma3;
  if (name == "gpt-oss" || name == "gpt_oss") return Architecture::kGptOss;
  return Unsupported("model architecture '" + std::string(name) +
                     "' is not supported (hfd runs llama, mistral, mixtral, qwen2, qwen3, gemma2, "
                     "gemma3, granite, olmo2, phi3, bert, nomic-bert, qwen2moe, qwen3moe and "
                     "gpt-oss)");
}

void SetGemma2Traits(ModelDesc& d) {
  d.ffn_activation = FfnActivation::kGeluTanh;
  d.scale_embeddings = true;
  d.post_norms = true;
  d.sliding_window_pattern = 2;
}

void SetGemma3Traits(ModelDesc& d) {
  SetGemma2Traits(d);
  d.qk_norm = true;
  d.sliding_window_pattern = 6;
  d.rope_local_theta = 10000.0f;
}

bool UsesLocalRope(const ModelDesc& d, int64_t layer) {
  return d.rope_local_theta > 0 && UsesSlidingWindow(d, layer);
}

void SetGptOssTraits(ModelDesc& d) {
  d.rope_layout = RopeLayout::kHalfSplit;
  d.qkv_bias = true;
  d.attn_output_bias = true;
  d.attn_sinks = true;
  d.expert_bias = true;
  d.expert_weights_norm = true;
  d.sliding_window_pattern = 2;
  d.swiglu_limit = 7.0f;
  d.swiglu_alpha = 1.702f;
  d.rope_scaling.yarn_truncate = false;
}

const char* FfnNormName(const ModelDesc& d) {
  return d.arch == Architecture::kGptOss ? "post_attention_norm.weight" : "ffn_norm.weight";
}

void SetOlmo2Traits(ModelDesc& d) {
  d.post_norms = true;
  d.pre_norms = false;
  d.qk_norm = true;
  d.qk_norm_full_width = true;
}

int64_t QNormWidth(const ModelDesc& d) {
  return d.qk_norm_full_width ? d.n_head * d.head_dim : d.head_dim;
}

int64_t KNormWidth(const ModelDesc& d) {
  return d.qk_norm_full_width ? d.n_head_kv * d.head_dim : d.head_dim;
}
int64_t RopeDims(const ModelDesc& d) { return d.rope_dims > 0 ? d.rope_dims : d.head_dim; }

std::string_view PoolingName(Pooling pooling) {
  switch (pooling) {
    case Pooling::kNone:
      return "none";
    case Pooling::kMean:
      return "mean";
    case Pooling::kCls:
      return "cls";
    case Pooling::kLast:
      return "last";
  }
  return "unknown";
}

void SetBertTraits(ModelDesc& d) {
  d.causal = false;
  d.rope_layout = RopeLayout::kHalfSplit;
  if (d.n_token_types == 0) d.n_token_types = 2;
}

bool IsBertFamily(Architecture arch) {
  return arch == Architecture::kBert || arch == Architecture::kNomicBert;
}

bool UsesSlidingWindow(const ModelDesc& d, int64_t layer) {
  if (d.sliding_window <= 0) return false;
  return d.sliding_window_pattern <= 0 || (layer + 1) % d.sliding_window_pattern != 0;
}

namespace {

// The expert counts of a mixture-of-experts model (ModelDesc::n_expert and after).
Status ValidateExperts(const ModelDesc& d) {
  if (d.n_expert == 0 && d.n_expert_used == 0) return Status::Ok();
  // The cap keeps expert ids exact in the routing op's float output.
  constexpr int64_t kMaxExperts = int64_t{1} << 16;
  if (d.n_expert <= 0 || d.n_expert > kMaxExperts) {
    return Corrupt("model has " + std::to_string(d.n_expert) +
                   " experts (expert_count); expected 1 to " + std::to_string(kMaxExperts));
  }
  if (d.n_expert_used <= 0 || d.n_expert_used > d.n_expert) {
    return Corrupt("model routes each token to " + std::to_string(d.n_expert_used) +
                   " experts (expert_used_count) of its " + std::to_string(d.n_expert) +
                   "; expected 1 to " + std::to_string(d.n_expert));
  }
  if (d.n_ff_expert <= 0 || d.n_ff_expert > (int64_t{1} << 28) || d.n_ff_shared_expert < 0 ||
      d.n_ff_shared_expert > (int64_t{1} << 28)) {
    return Corrupt("model expert feed-forward length is " + std::to_string(d.n_ff_expert) +
                   " (shared: " + std::to_string(d.n_ff_shared_expert) +
                   "); expected a positive size");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateDesc(const ModelDesc& d) {
  HFD_RETURN_IF_ERROR(ValidateExperts(d));
  auto positive = [](int64_t v, const char* what) -> Status {
    // The cap keeps products of two sizes (n_head * head_dim, ...) far from overflow.
    if (v <= 0 || v > (int64_t{1} << 28)) {
      return Corrupt(std::string("model ") + what + " is " + std::to_string(v) +
                     "; expected a positive size");
    }
    return Status::Ok();
  };
  HFD_RETURN_IF_ERROR(positive(d.n_vocab, "vocabulary size"));
  HFD_RETURN_IF_ERROR(positive(d.n_embd, "embedding length"));
  HFD_RETURN_IF_ERROR(positive(d.n_layer, "layer count"));
  HFD_RETURN_IF_ERROR(positive(d.n_head, "head count"));
  HFD_RETURN_IF_ERROR(positive(d.n_head_kv, "KV head count"));
  HFD_RETURN_IF_ERROR(positive(d.head_dim, "head dimension"));
  HFD_RETURN_IF_ERROR(positive(d.n_ff, "feed-forward length"));
  if (d.arch == Architecture::kBert) {
    // Learned positions and token types are tables of these many rows.
    HFD_RETURN_IF_ERROR(positive(d.n_ctx_train, "context length"));
    HFD_RETURN_IF_ERROR(positive(d.n_token_types, "token type count"));
  }
  if (d.arch == Architecture::kNomicBert) {
    HFD_RETURN_IF_ERROR(positive(d.n_token_types, "token type count"));
  }
  if (d.n_head % d.n_head_kv != 0) {
    return Corrupt("model has " + std::to_string(d.n_head) + " heads, not a multiple of its " +
                   std::to_string(d.n_head_kv) + " KV heads");
  }
  if (d.head_dim % 2 != 0) return Corrupt("model head dimension must be even for RoPE");
  if (!(d.rms_eps > 0) || !(d.rope_theta > 0)) {
    return Corrupt("model rms epsilon and rope theta must be positive");
  }
  if (!(d.rope_local_theta >= 0) || !std::isfinite(d.rope_local_theta)) {
    return Corrupt("model local rope theta must not be negative");
  }
  if (d.query_pre_attn_scalar < 0 || !(d.attn_softcap >= 0) || !(d.final_softcap >= 0)) {
    return Corrupt("model query scalar and soft-capping values must not be negative");
  }
  for (const float scale : {d.embedding_scale, d.residual_scale, d.logit_scale}) {
    if (!(scale > 0) || !std::isfinite(scale)) {
      return Corrupt("model embedding, residual and logit scales must be positive");
    }
  }
  if (!(d.attention_scale >= 0) || !std::isfinite(d.attention_scale)) {
    return Corrupt("model attention scale must not be negative");
  }
  const int64_t rope_dims = RopeDims(d);
  if (rope_dims <= 0 || rope_dims > d.head_dim || rope_dims % 2 != 0) {
    return Corrupt("model rotates " + std::to_string(rope_dims) + " dimensions of heads of " +
                   std::to_string(d.head_dim) + "; expected an even number up to head_dim");
  }
  const auto pairs = static_cast<size_t>(rope_dims / 2);
  for (const std::vector<float>* factors :
       {&d.rope_freq_factors, &d.rope_scaling.short_factors, &d.rope_scaling.long_factors}) {
    if (!factors->empty() && factors->size() != pairs) {
      return Corrupt("rope frequency factors have " + std::to_string(factors->size()) +
                     " entries; expected one per rotated pair, " + std::to_string(pairs));
    }
  }
  return Status::Ok();
}

std::vector<float> Llama3FreqFactors(const RopeScaling& s, float theta, int64_t head_dim) {
  // Wavelengths shorter than old_ctx / high_freq_factor keep their frequency, longer than
  // old_ctx / low_freq_factor are divided by `factor`, and those between are blended.
  const double old_ctx = static_cast<double>(s.original_max_position);
  const double low_wavelen = old_ctx / s.low_freq_factor;
  const double high_wavelen = old_ctx / s.high_freq_factor;
  std::vector<float> out;
  for (int64_t i = 0; i < head_dim / 2; ++i) {
    const double freq = std::pow(static_cast<double>(theta), -2.0 * i / head_dim);
    const double wavelen = 2 * std::numbers::pi / freq;
    double divisor = 1.0;
    if (wavelen > low_wavelen) {
      divisor = s.factor;
    } else if (wavelen >= high_wavelen && s.high_freq_factor != s.low_freq_factor) {
      const double smooth =
          (old_ctx / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
      divisor = 1.0 / ((1.0 - smooth) / s.factor + smooth);
    }
    out.push_back(static_cast<float>(divisor));
  }
  return out;
}

bool IsEmbeddingModel(const ModelDesc& d) { return !d.causal || d.pooling != Pooling::kNone; }

}  // namespace hfd::model
