#include "engine/model/desc_from_config.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "engine/model/rope_scaling.h"

namespace hfd::model {
namespace {

using nlohmann::json;

Result<json> ParseJson(std::string_view text, std::string_view what) {
  json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Corrupt(std::string(what) + " is not a valid JSON object");
  }
  return doc;
}

// Reads an integer field; `required` fields must be present.
Status Int(const json& c, const char* key, bool required, int64_t* out) {
  const auto it = c.find(key);
  if (it == c.end() || it->is_null()) {
    if (required) return Corrupt(std::string("config.json lacks \"") + key + "\"");
    return Status::Ok();
  }
  if (!it->is_number_integer()) {
    return Corrupt(std::string("config.json \"") + key + "\" is not an integer");
  }
  *out = it->get<int64_t>();
  return Status::Ok();
}

Status Float(const json& c, const char* key, float* out) {
  const auto it = c.find(key);
  if (it == c.end() || it->is_null()) return Status::Ok();
  if (!it->is_number()) return Corrupt(std::string("config.json \"") + key + "\" is not a number");
  *out = it->get<float>();
  return Status::Ok();
}

bool Bool(const json& c, const char* key, bool fallback) {
  const auto it = c.find(key);
  return it != c.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

// "architectures": ["Qwen2ForCausalLM"] and/or "model_type": "qwen2".
Result<Architecture> ReadArchitecture(const json& c) {
  const auto type = c.find("model_type");
  if (type != c.end() && type->is_string()) return ParseArchitecture(type->get<std::string>());
  const auto archs = c.find("architectures");
  if (archs != c.end() && archs->is_array() && !archs->empty() && (*archs)[0].is_string()) {
    std::string name = (*archs)[0].get<std::string>();
    const size_t suffix = name.find("ForCausalLM");
    if (suffix != std::string::npos) name.resize(suffix);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    return ParseArchitecture(name);
  }
  return Corrupt("config.json names no model_type or architectures");
}

// A list of numbers (longrope's short_factor / long_factor).
Status Floats(const json& c, const char* key, std::vector<float>* out) {
  const auto it = c.find(key);
  if (it == c.end() || !it->is_array()) {
    return Corrupt(std::string("config.json longrope rope_scaling lacks the list \"") + key + "\"");
  }
  for (const json& v : *it) {
    if (!v.is_number())
      return Corrupt(std::string("config.json \"") + key + "\" holds a non-number");
    out->push_back(v.get<float>());
  }
  return Status::Ok();
}

// Phi-3's longrope ("su" in older configs). original_max_position_embeddings sits beside
// max_position_embeddings (Phi3Config) or in the rope parameters (newer transformers).
Status ReadLongRope(const json& c, const json& params, ModelDesc* d) {
  RopeScaling& s = d->rope_scaling;
  s.type = RopeScalingType::kLongRope;
  HFD_RETURN_IF_ERROR(Floats(params, "short_factor", &s.short_factors));
  HFD_RETURN_IF_ERROR(Floats(params, "long_factor", &s.long_factors));
  HFD_RETURN_IF_ERROR(Int(c, "original_max_position_embeddings", false, &s.original_max_position));
  HFD_RETURN_IF_ERROR(
      Int(params, "original_max_position_embeddings", false, &s.original_max_position));
  if (s.original_max_position <= 0) {
    return Corrupt(
        "config.json longrope rope_scaling needs \"original_max_position_embeddings\" (the "
        "context the short factors are for)");
  }
  s.attn_factor = LongRopeDefaultAttnFactor(d->n_ctx_train, s.original_max_position);
  HFD_RETURN_IF_ERROR(Float(params, "attention_factor", &s.attn_factor));
  if (!(s.attn_factor > 0))
    return Corrupt("config.json longrope attention_factor must be positive");
  return Status::Ok();
}

// A number the rope_scaling object must hold; the error names the key.
Status RequiredRopeFloat(const json& params, const std::string& type, const char* key, float* out) {
  const auto it = params.find(key);
  if (it == params.end() || !it->is_number()) {
    return Corrupt("config.json rope_scaling of type '" + type + "' lacks the number \"" + key +
                   "\"");
  }
  *out = it->get<float>();
  return Status::Ok();
}

// linear, yarn and dynamic (NTK) as transformers' modeling_rope_utils reads them. The
// original context is rope_scaling's original_max_position_embeddings, else the model's
// max_position_embeddings (which the caller has read into n_ctx_train).
Status ReadScaledRope(const json& params, const std::string& type, ModelDesc* d) {
  RopeScaling& s = d->rope_scaling;
  s.type = type == "linear" ? RopeScalingType::kLinear
           : type == "yarn" ? RopeScalingType::kYarn
                            : RopeScalingType::kDynamic;
  HFD_RETURN_IF_ERROR(RequiredRopeFloat(params, type, "factor", &s.factor));
  if (!(s.factor >= 1.0f)) {
    return Corrupt("config.json rope_scaling \"factor\" must be at least 1 for type '" + type +
                   "'");
  }
  s.original_max_position = d->n_ctx_train;
  HFD_RETURN_IF_ERROR(
      Int(params, "original_max_position_embeddings", false, &s.original_max_position));
  if (s.type != RopeScalingType::kLinear && s.original_max_position <= 0) {
    return Corrupt("config.json rope_scaling of type '" + type +
                   "' needs \"original_max_position_embeddings\" or \"max_position_embeddings\"");
  }
  if (s.type != RopeScalingType::kYarn) return Status::Ok();
  // transformers reads 0 or null betas as the defaults.
  float beta = 0.0f;
  HFD_RETURN_IF_ERROR(Float(params, "beta_fast", &beta));
  if (beta > 0) s.beta_fast = beta;
  beta = 0.0f;
  HFD_RETURN_IF_ERROR(Float(params, "beta_slow", &beta));
  if (beta > 0) s.beta_slow = beta;
  s.yarn_truncate = Bool(params, "truncate", true);
  float mscale = 0.0f, mscale_all_dim = 0.0f;
  HFD_RETURN_IF_ERROR(Float(params, "mscale", &mscale));
  HFD_RETURN_IF_ERROR(Float(params, "mscale_all_dim", &mscale_all_dim));
  s.attn_factor =
      mscale != 0 && mscale_all_dim != 0
          ? static_cast<float>(YarnMscale(s.factor, mscale) / YarnMscale(s.factor, mscale_all_dim))
          : static_cast<float>(YarnMscale(s.factor));
  HFD_RETURN_IF_ERROR(Float(params, "attention_factor", &s.attn_factor));
  if (!(s.attn_factor > 0) || !(s.beta_fast > s.beta_slow)) {
    return Corrupt(
        "config.json yarn rope_scaling needs a positive \"attention_factor\" and \"beta_fast\" "
        "above \"beta_slow\"");
  }
  return Status::Ok();
}

// transformers writes rope settings as "rope_scaling" (v4) or "rope_parameters" (v5).
Status ReadRope(const json& c, ModelDesc* d) {
  const json* params = nullptr;
  for (const char* key : {"rope_parameters", "rope_scaling"}) {
    const auto it = c.find(key);
    if (it != c.end() && it->is_object()) params = &*it;
  }
  HFD_RETURN_IF_ERROR(Float(c, "rope_theta", &d->rope_theta));
  if (params == nullptr) return Status::Ok();
  HFD_RETURN_IF_ERROR(Float(*params, "rope_theta", &d->rope_theta));
  std::string type = "default";
  for (const char* key : {"rope_type", "type"}) {
    const auto it = params->find(key);
    if (it != params->end() && it->is_string()) type = it->get<std::string>();
  }
  if (type == "default") return Status::Ok();
  if (type == "longrope" || type == "su") return ReadLongRope(c, *params, d);
  if (type == "linear" || type == "yarn" || type == "dynamic") {
    return ReadScaledRope(*params, type, d);
  }
  if (type != "llama3") {
    return Unsupported("rope_scaling type '" + type +
                       "' is not supported (hfd supports default, llama3, linear, yarn, "
                       "dynamic and longrope)");
  }
  RopeScaling& s = d->rope_scaling;
  s.type = RopeScalingType::kLlama3;
  HFD_RETURN_IF_ERROR(Float(*params, "factor", &s.factor));
  HFD_RETURN_IF_ERROR(Float(*params, "low_freq_factor", &s.low_freq_factor));
  HFD_RETURN_IF_ERROR(Float(*params, "high_freq_factor", &s.high_freq_factor));
  HFD_RETURN_IF_ERROR(
      Int(*params, "original_max_position_embeddings", true, &s.original_max_position));
  if (!(s.factor > 0) || !(s.low_freq_factor > 0) || !(s.high_freq_factor >= s.low_freq_factor) ||
      s.original_max_position <= 0) {
    return Corrupt("config.json llama3 rope_scaling has invalid factors");
  }
  return Status::Ok();
}

// eos_token_id may be an integer or a list; both files may give it.
Status AddIds(const json& c, const char* key, std::vector<int32_t>* out) {
  const auto it = c.find(key);
  if (it == c.end() || it->is_null()) return Status::Ok();
  const json list = it->is_array() ? *it : json::array({*it});
  for (const json& id : list) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT32_MAX) {
      return Corrupt(std::string("\"") + key + "\" holds something other than token ids");
    }
    const auto v = static_cast<int32_t>(id.get<int64_t>());
    if (std::find(out->begin(), out->end(), v) == out->end()) out->push_back(v);
  }
  return Status::Ok();
}

// Gemma's activation must be the tanh-approximated GELU hfd runs.
Status CheckGeluTanh(const json& c, const std::string& family) {
  for (const char* key : {"hidden_activation", "hidden_act"}) {
    const auto it = c.find(key);
    if (it != c.end() && it->is_string() && it->get<std::string>() != "gelu_pytorch_tanh") {
      return Unsupported(family + " with " + std::string(key) + " '" + it->get<std::string>() +
                         "' is not supported (hfd runs gelu_pytorch_tanh)");
    }
  }
  return Status::Ok();
}

// transformers 4.5x lists each layer's attention; hfd runs the alternation of Gemma 2 and
// gpt-oss only (sliding_window_pattern 2).
Status CheckAlternatingLayerTypes(const json& c, const std::string& family) {
  if (const auto it = c.find("layer_types"); it != c.end() && it->is_array()) {
    for (size_t i = 0; i < it->size(); ++i) {
      const bool sliding = (*it)[i] == "sliding_attention";
      if (sliding != (i % 2 == 0)) {
        return Unsupported(family +
                           " \"layer_types\" other than sliding/full alternation "
                           "(sliding first) are not supported");
      }
    }
  }
  return Status::Ok();
}

// Gemma2Config's own keys. Its norm weights are stored as w - 1; the safetensors mapping
// adds the 1 back (hf_model_files.cc), so the description is the GGUF one.
Status ReadGemma2(const json& c, ModelDesc* d) {
  SetGemma2Traits(*d);
  HFD_RETURN_IF_ERROR(CheckGeluTanh(c, "gemma2"));
  HFD_RETURN_IF_ERROR(CheckAlternatingLayerTypes(c, "gemma2"));
  HFD_RETURN_IF_ERROR(Float(c, "attn_logit_softcapping", &d->attn_softcap));
  HFD_RETURN_IF_ERROR(Float(c, "final_logit_softcapping", &d->final_softcap));
  return Int(c, "query_pre_attn_scalar", false, &d->query_pre_attn_scalar);
}

// Which of Gemma 3's layers are global: "layer_types" (transformers 4.53 on) or
// "sliding_window_pattern" (layer i is global when (i + 1) % pattern == 0). hfd runs such
// periodic patterns only, which is what every published Gemma 3 has.
Status ReadGemma3LayerPattern(const json& c, ModelDesc* d) {
  int64_t pattern = d->sliding_window_pattern;
  HFD_RETURN_IF_ERROR(Int(c, "sliding_window_pattern", false, &pattern));
  const auto types = c.find("layer_types");
  if (types != c.end() && types->is_array()) {
    if (static_cast<int64_t>(types->size()) != d->n_layer) {
      return Corrupt("config.json \"layer_types\" lists " + std::to_string(types->size()) +
                     " layers; \"num_hidden_layers\" is " + std::to_string(d->n_layer));
    }
    const auto full = std::find(types->begin(), types->end(), "full_attention");
    pattern = (full - types->begin()) + 1;  // all sliding: past the last layer
    for (int64_t i = 0; i < d->n_layer; ++i) {
      const json& t = (*types)[static_cast<size_t>(i)];
      const bool global = (i + 1) % pattern == 0;
      if (t != (global ? "full_attention" : "sliding_attention")) {
        return Unsupported(
            "gemma3 \"layer_types\" must repeat one pattern of sliding_attention layers "
            "followed by one full_attention layer; layer " +
            std::to_string(i) + " breaks it");
      }
    }
  }
  if (pattern <= 0) return Corrupt("config.json \"sliding_window_pattern\" must be positive");
  d->sliding_window_pattern = static_cast<int>(pattern);
  return Status::Ok();
}

// transformers 5 gives Gemma 3's rope settings per layer type: "rope_parameters":
// {"full_attention": {...}, "sliding_attention": {...}}. The global layers' are read as any
// model's; the local layers' must be unscaled, so only their base is kept.
Status ReadGemma3RopeByLayerType(const json& c, ModelDesc* d) {
  const auto params = c.find("rope_parameters");
  if (params == c.end() || !params->is_object()) return Status::Ok();
  const auto global = params->find("full_attention");
  if (global == params->end() || !global->is_object()) return Status::Ok();
  HFD_RETURN_IF_ERROR(ReadRope(json{{"rope_parameters", *global}}, d));
  const auto local = params->find("sliding_attention");
  if (local == params->end() || !local->is_object()) return Status::Ok();
  const auto type = local->find("rope_type");
  if (type != local->end() && *type != "default") {
    return Unsupported(
        "gemma3 \"rope_parameters\".\"sliding_attention\" with a rope_type other than "
        "default is not supported");
  }
  return Float(*local, "rope_theta", &d->rope_local_theta);
}

// Gemma3TextConfig's own keys (its defaults filled in by WithGemma3TextDefaults). Its norm
// weights, q/k norms included, are w - 1 as Gemma 2's (hf_model_files.cc adds the 1).
Status ReadGemma3(const json& c, ModelDesc* d) {
  SetGemma3Traits(*d);
  HFD_RETURN_IF_ERROR(CheckGeluTanh(c, "gemma3"));
  HFD_RETURN_IF_ERROR(Float(c, "rope_local_base_freq", &d->rope_local_theta));
  HFD_RETURN_IF_ERROR(ReadGemma3RopeByLayerType(c, d));
  if (!(d->rope_local_theta > 0)) {
    return Corrupt("config.json \"rope_local_base_freq\" must be positive");
  }
  HFD_RETURN_IF_ERROR(ReadGemma3LayerPattern(c, d));
  HFD_RETURN_IF_ERROR(Float(c, "attn_logit_softcapping", &d->attn_softcap));
  HFD_RETURN_IF_ERROR(Float(c, "final_logit_softcapping", &d->final_softcap));
  return Int(c, "query_pre_attn_scalar", false, &d->query_pre_attn_scalar);
}

// Gemma3TextConfig's defaults for the keys Google's multimodal configs leave out of their
// text_config (gemma-3-4b-it's gives little more than the sizes, the window and
// rope_scaling). The sizes that make a model (hidden, feed-forward, layers) stay required.
const json& Gemma3TextDefaults() {
  static const json kDefaults = {
      {"vocab_size", 262208},
      {"num_attention_heads", 8},
      {"num_key_value_heads", 4},
      {"head_dim", 256},
      {"query_pre_attn_scalar", 256},
      {"max_position_embeddings", 131072},
      {"rms_norm_eps", 1e-6},
      {"rope_theta", 1000000.0},
      {"rope_local_base_freq", 10000.0},
      {"sliding_window", 4096},
      {"sliding_window_pattern", 6},
      {"tie_word_embeddings", true},
      {"bos_token_id", 2},
      {"eos_token_id", 1},
  };
  return kDefaults;
}

// The config a Gemma 3 text model is read from, with Gemma3TextConfig's defaults under it:
// Gemma3ForCausalLM's ("gemma3_text") whole config, or Gemma3ForConditionalGeneration's
// ("gemma3") text_config, whose special token ids may sit beside it. Other configs are
// returned as they are.
Result<json> WithGemma3TextDefaults(const json& c) {
  const auto type = c.find("model_type");
  if (type == c.end() || (*type != "gemma3" && *type != "gemma3_text")) return c;
  json text = Gemma3TextDefaults();
  if (*type == "gemma3_text") {
    text.update(c);
    return text;
  }
  const auto inner = c.find("text_config");
  if (inner == c.end() || !inner->is_object()) {
    return Corrupt(
        "config.json of a gemma3 (multimodal) model lacks the object \"text_config\", which "
        "holds its text model's sizes");
  }
  for (const char* key : {"bos_token_id", "eos_token_id", "tie_word_embeddings"}) {
    if (c.contains(key) && !c[key].is_null()) text[key] = c[key];
  }
  text.update(*inner);
  text["model_type"] = "gemma3_text";
  return text;
}

// GraniteConfig's multipliers. transformers defaults each to 1, but every published Granite
// sets them and a model run without its own is silently wrong, so a missing one is refused.
// logits_scaling divides the logits, as GGUF's logit_scale does.
Status ReadGranite(const json& c, ModelDesc* d) {
  struct Key {
    const char* name;
    float* out;
  };
  for (const Key& k :
       {Key{"embedding_multiplier", &d->embedding_scale},
        Key{"residual_multiplier", &d->residual_scale},
        Key{"attention_multiplier", &d->attention_scale}, Key{"logits_scaling", &d->logit_scale}}) {
    const auto it = c.find(k.name);
    if (it == c.end() || it->is_null()) {
      return Corrupt(std::string("config.json of a granite model lacks \"") + k.name +
                     "\"; every Granite checkpoint sets it (copy it from the model's original "
                     "config.json)");
    }
    HFD_RETURN_IF_ERROR(Float(c, k.name, k.out));
    if (!(*k.out > 0)) {
      return Corrupt(std::string("config.json \"") + k.name + "\" must be positive");
    }
  }
  // GraniteAttention derives head_dim as hidden_size / num_attention_heads.
  if (d->n_embd % d->n_head != 0) {
    return Corrupt("config.json \"hidden_size\" (" + std::to_string(d->n_embd) +
                   ") is not a multiple of \"num_attention_heads\" (" + std::to_string(d->n_head) +
                   ")");
  }
  return Status::Ok();
}

// BertConfig's own keys; the pooling comes from the sentence-transformers files
// (sentence_transformers.h).
Status ReadBert(const json& c, ModelDesc* d) {
  HFD_RETURN_IF_ERROR(Int(c, "type_vocab_size", false, &d->n_token_types));
  HFD_RETURN_IF_ERROR(Float(c, "layer_norm_eps", &d->rms_eps));
  SetBertTraits(*d);
  const auto act = c.find("hidden_act");
  if (act != c.end() && act->is_string() && act->get<std::string>() != "gelu") {
    return Unsupported("bert with hidden_act '" + act->get<std::string>() +
                       "' is not supported (hfd runs gelu)");
  }
  const auto pos = c.find("position_embedding_type");
  if (pos != c.end() && pos->is_string() && pos->get<std::string>() != "absolute") {
    return Unsupported("bert with position_embedding_type '" + pos->get<std::string>() +
                       "' is not supported (hfd runs absolute)");
  }
  return Status::Ok();
}

// A NomicBertConfig key that must hold `want` for hfd (and llama.cpp's converter) to run
// the model; absent, nomic-embed-text's published value is assumed.
Status NomicBertRequires(const json& c, const char* key, const json& want, const char* meaning) {
  const auto it = c.find(key);
  // json compares numbers by value (1 == 1.0), and values of other types as unequal.
  if (it == c.end() || it->is_null() || *it == want) return Status::Ok();
  return Unsupported("nomic_bert with \"" + std::string(key) + "\": " + it->dump() +
                     " is not supported (hfd runs " + meaning + ")");
}

// nomic-ai's NomicBertConfig (its remote code: GPT2Config's key names): SwiGLU, no
// biases, LayerNorms after each block, RoPE over whole heads in half-split pairs, base
// rotary_emb_base, no scaling; the other variants are refused naming the key. The context
// is max_trained_positions (nomic-embed-text: 2048, n_positions 8192 needs its dynamic NTK
// scaling), as llama.cpp's converter takes it.
Result<ModelDesc> BuildNomicBert(const json& c) {
  ModelDesc d;
  d.arch = Architecture::kNomicBert;
  HFD_RETURN_IF_ERROR(Int(c, "vocab_size", true, &d.n_vocab));
  HFD_RETURN_IF_ERROR(Int(c, "n_embd", true, &d.n_embd));
  HFD_RETURN_IF_ERROR(Int(c, "n_layer", true, &d.n_layer));
  HFD_RETURN_IF_ERROR(Int(c, "n_head", true, &d.n_head));
  HFD_RETURN_IF_ERROR(Int(c, "n_inner", true, &d.n_ff));
  d.n_head_kv = d.n_head;
  if (d.n_head > 0) d.head_dim = d.n_embd / d.n_head;
  HFD_RETURN_IF_ERROR(Int(c, "n_positions", false, &d.n_ctx_train));
  HFD_RETURN_IF_ERROR(Int(c, "max_trained_positions", false, &d.n_ctx_train));
  HFD_RETURN_IF_ERROR(Int(c, "type_vocab_size", false, &d.n_token_types));
  HFD_RETURN_IF_ERROR(Float(c, "layer_norm_epsilon", &d.rms_eps));
  HFD_RETURN_IF_ERROR(Float(c, "rotary_emb_base", &d.rope_theta));
  SetBertTraits(d);
  HFD_RETURN_IF_ERROR(NomicBertRequires(c, "activation_function", "swiglu", "swiglu"));
  for (const char* key : {"qkv_proj_bias", "mlp_fc1_bias", "mlp_fc2_bias"}) {
    HFD_RETURN_IF_ERROR(NomicBertRequires(c, key, false, "no projection biases"));
  }
  HFD_RETURN_IF_ERROR(NomicBertRequires(c, "prenorm", false, "LayerNorms after each block"));
  HFD_RETURN_IF_ERROR(NomicBertRequires(c, "causal", false, "non-causal attention"));
  HFD_RETURN_IF_ERROR(NomicBertRequires(c, "rotary_emb_fraction", 1.0, "RoPE on whole heads"));
  HFD_RETURN_IF_ERROR(
      NomicBertRequires(c, "rotary_emb_interleaved", false, "RoPE in half-split pairs"));
  for (const char* key : {"rotary_emb_scale_base", "rotary_scaling_factor"}) {
    HFD_RETURN_IF_ERROR(NomicBertRequires(c, key, nullptr, "unscaled RoPE: null"));
  }
  HFD_RETURN_IF_ERROR(ValidateDesc(d));
  return d;
}

// partial_rotary_factor: RoPE turns the first int(head_dim * factor) dimensions of each
// head (Phi-4-mini: 0.75).
Status ReadPartialRotary(const json& c, ModelDesc* d) {
  float factor = 1.0f;
  HFD_RETURN_IF_ERROR(Float(c, "partial_rotary_factor", &factor));
  if (!(factor > 0.0f && factor <= 1.0f)) {
    return Corrupt("config.json \"partial_rotary_factor\" must be in (0, 1]");
  }
  const auto dims = static_cast<int64_t>(static_cast<double>(d->head_dim) * factor);
  if (dims != d->head_dim) d->rope_dims = dims;
  return Status::Ok();
}

// Phi3Config's own keys: its activation must be SwiGLU's.
Status ReadPhi3(const json& c) {
  const auto it = c.find("hidden_act");
  if (it != c.end() && it->is_string() && it->get<std::string>() != "silu") {
    return Unsupported("phi3 with hidden_act '" + it->get<std::string>() +
                       "' is not supported (hfd runs silu)");
  }
  return Status::Ok();
}

// The experts of MixtralConfig (num_local_experts; experts of intermediate_size, weights
// renormalized), Qwen2MoeConfig and Qwen3MoeConfig (num_experts of moe_intermediate_size,
// norm_topk_prob, false when absent as in both classes; Qwen2-MoE's shared expert). Layers
// without experts (decoder_sparse_step, mlp_only_layers) are refused.
Status ReadExperts(const json& c, ModelDesc* d) {
  const bool qwen = d->arch == Architecture::kQwen2Moe || d->arch == Architecture::kQwen3Moe;
  HFD_RETURN_IF_ERROR(Int(c, qwen ? "num_experts" : "num_local_experts", qwen, &d->n_expert));
  if (!IsMoe(*d)) return Status::Ok();
  HFD_RETURN_IF_ERROR(Int(c, "num_experts_per_tok", true, &d->n_expert_used));
  if (!qwen) {
    d->n_ff_expert = d->n_ff;
    d->expert_weights_norm = true;
    return Status::Ok();
  }
  HFD_RETURN_IF_ERROR(Int(c, "moe_intermediate_size", true, &d->n_ff_expert));
  d->expert_weights_norm = Bool(c, "norm_topk_prob", false);
  if (d->arch == Architecture::kQwen2Moe) {
    HFD_RETURN_IF_ERROR(Int(c, "shared_expert_intermediate_size", false, &d->n_ff_shared_expert));
  }
  int64_t step = 1;
  HFD_RETURN_IF_ERROR(Int(c, "decoder_sparse_step", false, &step));
  const auto dense = c.find("mlp_only_layers");
  if (step != 1 || (dense != c.end() && dense->is_array() && !dense->empty())) {
    return Unsupported(
        "config.json has layers without experts (\"decoder_sparse_step\" other than 1 or "
        "\"mlp_only_layers\"); hfd runs mixture-of-experts models with experts in every layer");
  }
  return Status::Ok();
}

// GptOssConfig's own keys: the clamped SwiGLU's limit (alpha is the modeling code's
// constant), the layers' alternation. The experts (num_local_experts, experts of
// intermediate_size) are ReadExperts' Mixtral-style keys. YaRN's "truncate" is read with
// the rope scaling.
Status ReadGptOss(const json& c, ModelDesc* d) {
  const bool truncate = d->rope_scaling.yarn_truncate;
  SetGptOssTraits(*d);
  d->rope_scaling.yarn_truncate = truncate;
  HFD_RETURN_IF_ERROR(Float(c, "swiglu_limit", &d->swiglu_limit));
  if (!(d->swiglu_limit > 0)) return Corrupt("config.json \"swiglu_limit\" must be positive");
  return CheckAlternatingLayerTypes(c, "gpt_oss");
}

// Names the keys when the head counts contradict each other (ValidateDesc cannot).
Status CheckHeadCounts(const ModelDesc& d) {
  if (d.n_head > 0 && d.n_head_kv > 0 && d.n_head % d.n_head_kv == 0) return Status::Ok();
  return Corrupt("config.json \"num_attention_heads\" (" + std::to_string(d.n_head) +
                 ") is not a positive multiple of \"num_key_value_heads\" (" +
                 std::to_string(d.n_head_kv) + "): query heads share KV heads in equal groups");
}

Result<ModelDesc> Build(const json& c, const json* gen) {
  ModelDesc d;
  HFD_ASSIGN_OR_RETURN(d.arch, ReadArchitecture(c));
  if (d.arch == Architecture::kNomicBert) return BuildNomicBert(c);
  d.rope_layout = RopeLayout::kHalfSplit;
  HFD_RETURN_IF_ERROR(Int(c, "vocab_size", true, &d.n_vocab));
  HFD_RETURN_IF_ERROR(Int(c, "hidden_size", true, &d.n_embd));
  HFD_RETURN_IF_ERROR(Int(c, "num_hidden_layers", true, &d.n_layer));
  HFD_RETURN_IF_ERROR(Int(c, "num_attention_heads", true, &d.n_head));
  HFD_RETURN_IF_ERROR(Int(c, "intermediate_size", true, &d.n_ff));
  d.n_head_kv = d.n_head;
  HFD_RETURN_IF_ERROR(Int(c, "num_key_value_heads", false, &d.n_head_kv));
  HFD_RETURN_IF_ERROR(CheckHeadCounts(d));
  if (d.n_head > 0) d.head_dim = d.n_embd / d.n_head;
  HFD_RETURN_IF_ERROR(Int(c, "head_dim", false, &d.head_dim));
  HFD_RETURN_IF_ERROR(Int(c, "max_position_embeddings", false, &d.n_ctx_train));
  HFD_RETURN_IF_ERROR(Float(c, "rms_norm_eps", &d.rms_eps));
  HFD_RETURN_IF_ERROR(ReadRope(c, &d));
  HFD_RETURN_IF_ERROR(ReadPartialRotary(c, &d));
  const bool gemma2 = d.arch == Architecture::kGemma2;
  d.tied_embeddings = Bool(c, "tie_word_embeddings", gemma2);  // Gemma2Config ties by default
  d.qkv_bias = d.arch == Architecture::kQwen2 || d.arch == Architecture::kQwen2Moe ||
               Bool(c, "attention_bias", false);
  d.qk_norm = d.arch == Architecture::kQwen3 || d.arch == Architecture::kQwen3Moe;
  if (Bool(c, "mlp_bias", false)) return Unsupported("MLP biases (mlp_bias) are not supported");
  const bool phi3 = d.arch == Architecture::kPhi3;
  const bool gemma3 = d.arch == Architecture::kGemma3;
  const bool gpt_oss = d.arch == Architecture::kGptOss;
  const bool window_used = d.arch == Architecture::kMistral || gemma2 || gemma3 || phi3 ||
                           gpt_oss || Bool(c, "use_sliding_window", false);
  int64_t window = 0;
  HFD_RETURN_IF_ERROR(Int(c, "sliding_window", false, &window));
  if (window_used && window > 0 && window < d.n_ctx_train)
    d.sliding_window = static_cast<int>(window);
  if (gemma2) HFD_RETURN_IF_ERROR(ReadGemma2(c, &d));
  if (gemma3) HFD_RETURN_IF_ERROR(ReadGemma3(c, &d));
  if (d.arch == Architecture::kGranite) HFD_RETURN_IF_ERROR(ReadGranite(c, &d));
  if (d.arch == Architecture::kOlmo2) SetOlmo2Traits(d);
  if (phi3) HFD_RETURN_IF_ERROR(ReadPhi3(c));
  if (d.arch == Architecture::kBert) HFD_RETURN_IF_ERROR(ReadBert(c, &d));
  if (gpt_oss) HFD_RETURN_IF_ERROR(ReadGptOss(c, &d));
  HFD_RETURN_IF_ERROR(ReadExperts(c, &d));
  int64_t bos = -1;
  HFD_RETURN_IF_ERROR(Int(c, "bos_token_id", false, &bos));
  d.bos_id = static_cast<int32_t>(bos);
  HFD_RETURN_IF_ERROR(AddIds(c, "eos_token_id", &d.eos_ids));
  if (gen != nullptr) HFD_RETURN_IF_ERROR(AddIds(*gen, "eos_token_id", &d.eos_ids));
  if (d.rope_scaling.type == RopeScalingType::kLlama3 && d.head_dim > 0) {
    d.rope_freq_factors = Llama3FreqFactors(d.rope_scaling, d.rope_theta, d.head_dim);
  }
  SetScaledRopeFreqFactors(d);
  HFD_RETURN_IF_ERROR(ValidateDesc(d));
  return d;
}

}  // namespace

Result<ModelDesc> DescFromConfig(std::string_view config_json,
                                 std::string_view generation_config_json) {
  try {
    HFD_ASSIGN_OR_RETURN(const json file, ParseJson(config_json, "config.json"));
    HFD_ASSIGN_OR_RETURN(const json config, WithGemma3TextDefaults(file));
    if (generation_config_json.empty()) return Build(config, nullptr);
    HFD_ASSIGN_OR_RETURN(const json gen,
                         ParseJson(generation_config_json, "generation_config.json"));
    return Build(config, &gen);
  } catch (const std::exception& e) {  // nlohmann conversions: never escape
    return Corrupt(std::string("config.json could not be read: ") + e.what());
  }
}

}  // namespace hfd::model
