#include "engine/model/desc_from_gguf.h"

#include <algorithm>
#include <iterator>
#include <vector>

#include "engine/model/rope_scaling.h"
#include "engine/quant/dequantize.h"

namespace hfd::model {
namespace {

// Reads an optional integer key into `out`; absent keys leave `out` unchanged.
Status OptionalU32(const gguf::GgufFile& f, const std::string& key, int64_t* out) {
  if (!f.Has(key)) return Status::Ok();
  HFD_ASSIGN_OR_RETURN(const uint32_t v, f.GetU32(key));
  *out = v;
  return Status::Ok();
}

Status RequiredU32(const gguf::GgufFile& f, const std::string& key, int64_t* out) {
  if (!f.Has(key)) {
    return Corrupt("GGUF file lacks '" + key +
                   "'; it was not written by a llama.cpp "
                   "converter hfd understands");
  }
  return OptionalU32(f, key, out);
}

// Reads an F32 vector tensor of one value per rotated pair into `out`; false when absent.
Result<bool> ReadPairFactors(const gguf::GgufFile& f, const std::string& name, const ModelDesc& d,
                             std::vector<float>* out) {
  const gguf::TensorInfo* t = f.FindTensor(name);
  if (t == nullptr) return false;
  const int64_t pairs = RopeDims(d) / 2;
  if (t->type != TensorType::kF32 || t->shape.size() != 1 || t->shape[0] != pairs) {
    return Corrupt(name + " must be F32 with one value per rotated pair (" + std::to_string(pairs) +
                   ")");
  }
  out->resize(static_cast<size_t>(pairs));
  HFD_RETURN_IF_ERROR(DequantizeRow(TensorType::kF32, t->data, out->data(), pairs));
  return true;
}

Status OptionalF32(const gguf::GgufFile& f, const std::string& key, float* out) {
  if (!f.Has(key)) return Status::Ok();
  HFD_ASSIGN_OR_RETURN(*out, f.GetF32(key));
  return Status::Ok();
}

// llama.cpp's converter stores Phi-3's longrope as two tensors of divisors and the
// cos/sin factor as a key (1 when absent, as llama.cpp reads it).
Status ReadLongRope(const gguf::GgufFile& f, const std::string& arch, ModelDesc* d) {
  RopeScaling& s = d->rope_scaling;
  HFD_ASSIGN_OR_RETURN(const bool has_long,
                       ReadPairFactors(f, "rope_factors_long.weight", *d, &s.long_factors));
  HFD_ASSIGN_OR_RETURN(const bool has_short,
                       ReadPairFactors(f, "rope_factors_short.weight", *d, &s.short_factors));
  if (!has_long && !has_short) return Status::Ok();
  if (!has_long || !has_short) {
    return Corrupt(
        "GGUF file has only one of rope_factors_long.weight and "
        "rope_factors_short.weight; longrope needs both");
  }
  s.type = RopeScalingType::kLongRope;
  s.original_max_position = d->n_ctx_train;
  HFD_RETURN_IF_ERROR(
      OptionalU32(f, arch + ".rope.scaling.original_context_length", &s.original_max_position));
  return OptionalF32(f, arch + ".rope.scaling.attn_factor", &s.attn_factor);
}

Status ReadLinearOrYarn(const gguf::GgufFile& f, const std::string& arch, const std::string& type,
                        ModelDesc* d);

Status ReadRopeScaling(const gguf::GgufFile& f, const std::string& arch, ModelDesc* d) {
  const std::string type_key = arch + ".rope.scaling.type";
  std::string type = "none";
  if (f.Has(type_key)) {
    HFD_ASSIGN_OR_RETURN(type, f.GetString(type_key));
  }
  if (type == "linear" || type == "yarn") return ReadLinearOrYarn(f, arch, type, d);
  if (type != "none" && type != "longrope") {
    return Unsupported("rope scaling type '" + type + "' (" + type_key +
                       ") is not supported (hfd supports none, linear, yarn, longrope and "
                       "llama3)");
  }
  HFD_RETURN_IF_ERROR(ReadLongRope(f, arch, d));
  if (type == "longrope" && d->rope_scaling.type != RopeScalingType::kLongRope) {
    return Corrupt(type_key +
                   " is longrope but the file has no rope_factors_long.weight and "
                   "rope_factors_short.weight; reconvert it with llama.cpp's converter");
  }
  // llama.cpp's converter stores Llama 3.1 scaling as per-pair divisors in a tensor.
  HFD_ASSIGN_OR_RETURN(const bool llama3,
                       ReadPairFactors(f, "rope_freqs.weight", *d, &d->rope_freq_factors));
  if (llama3) d->rope_scaling.type = RopeScalingType::kLlama3;
  return Status::Ok();
}

Status ReadSpecialTokens(const gguf::GgufFile& f, ModelDesc* d) {
  if (f.Has("tokenizer.ggml.bos_token_id")) {
    HFD_ASSIGN_OR_RETURN(const uint32_t bos, f.GetU32("tokenizer.ggml.bos_token_id"));
    d->bos_id = static_cast<int32_t>(bos);
  }
  for (const char* key : {"tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id",
                          "tokenizer.ggml.eom_token_id"}) {
    if (!f.Has(key)) continue;
    HFD_ASSIGN_OR_RETURN(const uint32_t id, f.GetU32(key));
    const auto id32 = static_cast<int32_t>(id);
    if (std::find(d->eos_ids.begin(), d->eos_ids.end(), id32) == d->eos_ids.end()) {
      d->eos_ids.push_back(id32);
    }
  }
  return Status::Ok();
}

// linear and yarn as llama.cpp's loader reads them. YaRN's magnitude on cos/sin is
// rope.scaling.yarn_attn_factor when given (the converter's copy of HF's attention_factor),
// else the default ln-based one (with yarn_log_multiplier as HF's mscale_all_dim when
// nonzero), times rope.scaling.attn_factor.
Status ReadLinearOrYarn(const gguf::GgufFile& f, const std::string& arch, const std::string& type,
                        ModelDesc* d) {
  const std::string p = arch + ".rope.scaling.";
  RopeScaling& s = d->rope_scaling;
  s.type = type == "linear" ? RopeScalingType::kLinear : RopeScalingType::kYarn;
  s.factor = 0.0f;
  HFD_RETURN_IF_ERROR(OptionalF32(f, arch + ".rope.scale_linear", &s.factor));  // older files
  HFD_RETURN_IF_ERROR(OptionalF32(f, p + "factor", &s.factor));
  if (!(s.factor >= 1.0f)) {
    return Corrupt("GGUF rope scaling '" + type + "' needs " + p +
                   "factor of at least 1; the file lacks it or holds a smaller one");
  }
  d->rope_freq_factors.clear();
  if (s.type == RopeScalingType::kLinear) return Status::Ok();
  s.original_max_position = d->n_ctx_train;
  HFD_RETURN_IF_ERROR(OptionalU32(f, p + "original_context_length", &s.original_max_position));
  if (s.original_max_position <= 0) {
    return Corrupt("GGUF yarn rope scaling needs " + p + "original_context_length");
  }
  float ext_factor = 1.0f;
  HFD_RETURN_IF_ERROR(OptionalF32(f, p + "yarn_ext_factor", &ext_factor));
  if (ext_factor != 1.0f) {
    return Unsupported(p + "yarn_ext_factor other than 1 is not supported");
  }
  HFD_RETURN_IF_ERROR(OptionalF32(f, p + "yarn_beta_fast", &s.beta_fast));
  HFD_RETURN_IF_ERROR(OptionalF32(f, p + "yarn_beta_slow", &s.beta_slow));
  float log_mul = 0.0f, attn_factor = 1.0f;
  HFD_RETURN_IF_ERROR(OptionalF32(f, p + "yarn_log_multiplier", &log_mul));
  HFD_RETURN_IF_ERROR(OptionalF32(f, p + "attn_factor", &attn_factor));
  s.attn_factor = static_cast<float>(
      log_mul != 0 ? YarnMscale(s.factor) / YarnMscale(s.factor, log_mul) : YarnMscale(s.factor));
  HFD_RETURN_IF_ERROR(OptionalF32(f, p + "yarn_attn_factor", &s.attn_factor));
  s.attn_factor *= attn_factor;
  if (!(s.attn_factor > 0) || !(s.beta_fast > s.beta_slow)) {
    return Corrupt("GGUF yarn rope scaling needs a positive " + p + "attn_factor and " + p +
                   "yarn_beta_fast above " + p + "yarn_beta_slow");
  }
  return Status::Ok();
}

// Gemma 2 as llama.cpp reads it. Its converter stores the norm weights as HF's (1 + w), so
// they are used as they are. GGUF has no query_pre_attn_scalar: llama.cpp takes n_embd /
// n_head for the 46-layer (27B) model and head_dim for the others, as Google's configs do.
Status ReadGemma2(const gguf::GgufFile& f, const std::string& p, ModelDesc* d) {
  SetGemma2Traits(*d);
  HFD_RETURN_IF_ERROR(OptionalF32(f, p + "attn_logit_softcapping", &d->attn_softcap));
  HFD_RETURN_IF_ERROR(OptionalF32(f, p + "final_logit_softcapping", &d->final_softcap));
  if (d->n_layer == 46 && d->n_head > 0) d->query_pre_attn_scalar = d->n_embd / d->n_head;
  return Status::Ok();
}

// Gemma 3 as llama.cpp reads it: its converter adds HF's 1 to every norm weight (q/k norms
// included) and drops the vision tensors. The local layers' base is 10000 and takes no
// scaling (no GGUF key holds either); rope.freq_base and rope.scaling.* are the global
// layers'. Without attention.sliding_window every layer is global. The query scale is
// 1 / sqrt(n_embd / n_head) for the 62-layer (27B) model and 1 / sqrt(head_dim) for the
// others; final_logit_softcapping is optional (models derived from Gemma 3 set it).
Status ReadGemma3(const gguf::GgufFile& f, const std::string& p, ModelDesc* d) {
  SetGemma3Traits(*d);
  HFD_RETURN_IF_ERROR(OptionalF32(f, p + "final_logit_softcapping", &d->final_softcap));
  if (d->n_layer == 62 && d->n_head > 0) d->query_pre_attn_scalar = d->n_embd / d->n_head;
  return Status::Ok();
}

// Granite's four multipliers, which llama.cpp requires. A 0 turns one off there, as 1 does
// here.
Status ReadGranite(const gguf::GgufFile& f, const std::string& p, ModelDesc* d) {
  struct Key {
    const char* suffix;
    float* out;
  };
  for (const Key& k :
       {Key{"embedding_scale", &d->embedding_scale}, Key{"residual_scale", &d->residual_scale},
        Key{"attention.scale", &d->attention_scale}, Key{"logit_scale", &d->logit_scale}}) {
    const std::string key = p + k.suffix;
    if (!f.Has(key)) {
      return Corrupt("GGUF file lacks '" + key +
                     "', which every granite model has; convert it again with a current "
                     "llama.cpp converter");
    }
    HFD_RETURN_IF_ERROR(OptionalF32(f, key, k.out));
    if (*k.out == 0 && k.out != &d->attention_scale) *k.out = 1.0f;
  }
  return Status::Ok();
}

// BERT and nomic-bert as llama.cpp reads them: LayerNorm epsilon, attention.causal;
// token types from the token_types tensor.
Status ReadBert(const gguf::GgufFile& f, const std::string& p, ModelDesc* d) {
  if (const gguf::TensorInfo* types = f.FindTensor("token_types.weight");
      types != nullptr && types->shape.size() == 2) {
    d->n_token_types = types->shape[1];
  }
  SetBertTraits(*d);
  HFD_RETURN_IF_ERROR(OptionalF32(f, p + "attention.layer_norm_epsilon", &d->rms_eps));
  if (f.Has(p + "attention.causal")) {
    HFD_ASSIGN_OR_RETURN(d->causal, f.GetBool(p + "attention.causal"));
  }
  if (d->arch == Architecture::kNomicBert && f.FindTensor("blk.0.attn_qkv.bias") != nullptr) {
    return Unsupported("nomic-bert with projection biases (blk.0.attn_qkv.bias) is not supported");
  }
  return Status::Ok();
}

// <arch>.pooling_type, which llama.cpp reads for every architecture (its enum: 0 none,
// 1 mean, 2 cls, 3 last; 4 rank is a reranker's head): embedding models, decoder
// embedders (Qwen3-Embedding: last) included.
Status ReadPooling(const gguf::GgufFile& f, const std::string& p, ModelDesc* d) {
  int64_t pooling = 0;
  HFD_RETURN_IF_ERROR(OptionalU32(f, p + "pooling_type", &pooling));
  constexpr Pooling kPoolings[] = {Pooling::kNone, Pooling::kMean, Pooling::kCls, Pooling::kLast};
  if (pooling < 0 || pooling >= static_cast<int64_t>(std::size(kPoolings))) {
    return Unsupported("GGUF key '" + p + "pooling_type' is " + std::to_string(pooling) +
                       "; hfd pools with 0 (none), 1 (mean), 2 (cls) or 3 (last)");
  }
  d->pooling = kPoolings[pooling];
  return Status::Ok();
}

// Mixture of experts as llama.cpp reads it: <arch>.expert_count and expert_used_count (a
// llama with them is Mixtral-shaped: experts of feed_forward_length); qwen2moe, qwen3moe and
// gpt-oss give the experts' length as expert_feed_forward_length and qwen2moe its shared expert's
// as expert_shared_feed_forward_length. Renormalized top-k weights: Mixtral and Qwen3-MoE, not
// Qwen2-MoE (as llama.cpp and transformers' configs have them).
Status ReadExperts(const gguf::GgufFile& f, const std::string& p, ModelDesc* d) {
  HFD_RETURN_IF_ERROR(OptionalU32(f, p + "expert_count", &d->n_expert));
  HFD_RETURN_IF_ERROR(OptionalU32(f, p + "expert_used_count", &d->n_expert_used));
  const bool qwen_moe = d->arch == Architecture::kQwen2Moe || d->arch == Architecture::kQwen3Moe;
  const bool own_length = qwen_moe || d->arch == Architecture::kGptOss;
  if (own_length && d->n_expert == 0) {
    return Corrupt("GGUF file lacks '" + p + "expert_count', which every " +
                   std::string(ArchitectureName(d->arch)) + " model has");
  }
  if (!IsMoe(*d) && d->n_expert_used == 0) return Status::Ok();
  d->n_ff_expert = d->n_ff;
  if (own_length) {
    HFD_RETURN_IF_ERROR(RequiredU32(f, p + "expert_feed_forward_length", &d->n_ff_expert));
  }
  if (d->arch == Architecture::kQwen2Moe) {
    HFD_RETURN_IF_ERROR(
        OptionalU32(f, p + "expert_shared_feed_forward_length", &d->n_ff_shared_expert));
  }
  d->expert_weights_norm = d->arch != Architecture::kQwen2Moe;
  return Status::Ok();
}

}  // namespace

Result<ModelDesc> DescFromGguf(const gguf::GgufFile& f) {
  HFD_ASSIGN_OR_RETURN(const std::string arch, f.GetString("general.architecture"));
  ModelDesc d;
  HFD_ASSIGN_OR_RETURN(d.arch, ParseArchitecture(arch));
  // llama.cpp's converter permutes Q/K rows for interleaved pairs only for llama/mistral.
  // Granite's converter is llama's.
  d.rope_layout = (d.arch == Architecture::kLlama || d.arch == Architecture::kMistral ||
                   d.arch == Architecture::kGranite)
                      ? RopeLayout::kInterleaved
                      : RopeLayout::kHalfSplit;
  const std::string p = arch + ".";
  HFD_RETURN_IF_ERROR(RequiredU32(f, p + "embedding_length", &d.n_embd));
  HFD_RETURN_IF_ERROR(RequiredU32(f, p + "block_count", &d.n_layer));
  HFD_RETURN_IF_ERROR(RequiredU32(f, p + "feed_forward_length", &d.n_ff));
  HFD_RETURN_IF_ERROR(RequiredU32(f, p + "attention.head_count", &d.n_head));
  d.n_head_kv = d.n_head;
  HFD_RETURN_IF_ERROR(OptionalU32(f, p + "attention.head_count_kv", &d.n_head_kv));
  HFD_RETURN_IF_ERROR(OptionalU32(f, p + "context_length", &d.n_ctx_train));
  if (d.n_head > 0) d.head_dim = d.n_embd / d.n_head;
  HFD_RETURN_IF_ERROR(OptionalU32(f, p + "attention.key_length", &d.head_dim));
  int64_t value_length = d.head_dim;
  HFD_RETURN_IF_ERROR(OptionalU32(f, p + "attention.value_length", &value_length));
  if (value_length != d.head_dim) {
    return Unsupported("attention with value length " + std::to_string(value_length) +
                       " different from key length " + std::to_string(d.head_dim) +
                       " is not supported");
  }
  // Fewer than head_dim: partial rotary (Phi-4-mini); ValidateDesc checks the value.
  HFD_RETURN_IF_ERROR(OptionalU32(f, p + "rope.dimension_count", &d.rope_dims));
  if (d.rope_dims == d.head_dim) d.rope_dims = 0;
  HFD_RETURN_IF_ERROR(OptionalF32(f, p + "rope.freq_base", &d.rope_theta));
  HFD_RETURN_IF_ERROR(OptionalF32(f, p + "attention.layer_norm_rms_epsilon", &d.rms_eps));
  int64_t window = 0;
  HFD_RETURN_IF_ERROR(OptionalU32(f, p + "attention.sliding_window", &window));
  d.sliding_window = static_cast<int>(window);

  if (const gguf::TensorInfo* embd = f.FindTensor("token_embd.weight");
      embd != nullptr && embd->shape.size() == 2) {
    d.n_vocab = embd->shape[1];
  }
  HFD_RETURN_IF_ERROR(OptionalU32(f, p + "vocab_size", &d.n_vocab));
  if (d.n_vocab == 0 && f.Has("tokenizer.ggml.tokens")) {
    d.n_vocab = static_cast<int64_t>(f.FindMetadata("tokenizer.ggml.tokens")->count);
  }
  d.tied_embeddings = f.FindTensor("output.weight") == nullptr;
  d.qkv_bias = f.FindTensor("blk.0.attn_q.bias") != nullptr;
  d.qk_norm = f.FindTensor("blk.0.attn_q_norm.weight") != nullptr;
  if (d.arch == Architecture::kGemma2) HFD_RETURN_IF_ERROR(ReadGemma2(f, p, &d));
  if (d.arch == Architecture::kGemma3) HFD_RETURN_IF_ERROR(ReadGemma3(f, p, &d));
  if (d.arch == Architecture::kGranite) HFD_RETURN_IF_ERROR(ReadGranite(f, p, &d));
  if (d.arch == Architecture::kOlmo2) SetOlmo2Traits(d);
  // gpt-oss as llama.cpp reads it: its alpha and limit are constants there too.
  if (d.arch == Architecture::kGptOss) SetGptOssTraits(d);
  if (IsBertFamily(d.arch)) HFD_RETURN_IF_ERROR(ReadBert(f, p, &d));
  HFD_RETURN_IF_ERROR(ReadExperts(f, p, &d));
  HFD_RETURN_IF_ERROR(ReadPooling(f, p, &d));
  HFD_RETURN_IF_ERROR(ReadRopeScaling(f, arch, &d));
  SetScaledRopeFreqFactors(d);
  HFD_RETURN_IF_ERROR(ReadSpecialTokens(f, &d));
  HFD_RETURN_IF_ERROR(ValidateDesc(d));
  return d;
}

}  // namespace hfd::model
