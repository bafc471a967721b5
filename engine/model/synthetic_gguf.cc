#include "engine/model/synthetic_gguf.h"

#include <cmath>
#include <cstring>
#include <optional>
#include <random>
#include <string>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/model/rope_scaling.h"
#include "engine/model/tokenizer_metadata.h"
#include "engine/quant/dequantize.h"

namespace hfd::model {
namespace {

void AddMetadata(const ModelDesc& d, gguf::GgufWriter* w) {
  const std::string arch(
      ArchitectureName(d.arch == Architecture::kMistral ? Architecture::kLlama : d.arch));
  const std::string p = arch + ".";
  w->AddString("general.architecture", arch);
  w->AddString("general.name", "synthetic");
  w->AddU32(p + "context_length", static_cast<uint32_t>(d.n_ctx_train));
  w->AddU32(p + "embedding_length", static_cast<uint32_t>(d.n_embd));
  w->AddU32(p + "block_count", static_cast<uint32_t>(d.n_layer));
  w->AddU32(p + "feed_forward_length", static_cast<uint32_t>(d.n_ff));
  w->AddU32(p + "attention.head_count", static_cast<uint32_t>(d.n_head));
  w->AddU32(p + "attention.head_count_kv", static_cast<uint32_t>(d.n_head_kv));
  w->AddU32(p + "attention.key_length", static_cast<uint32_t>(d.head_dim));
  w->AddU32(p + "attention.value_length", static_cast<uint32_t>(d.head_dim));
  w->AddU32(p + "rope.dimension_count", static_cast<uint32_t>(RopeDims(d)));
  w->AddF32(p + "rope.freq_base", d.rope_theta);
  w->AddF32(p + "attention.layer_norm_rms_epsilon", d.rms_eps);
  w->AddU32(p + "vocab_size", static_cast<uint32_t>(d.n_vocab));
  if (d.sliding_window > 0) {
    w->AddU32(p + "attention.sliding_window", static_cast<uint32_t>(d.sliding_window));
  }
  if (d.arch == Architecture::kGemma2) {
    w->AddF32(p + "attn_logit_softcapping", d.attn_softcap);
    w->AddF32(p + "final_logit_softcapping", d.final_softcap);
  }
  if (d.arch == Architecture::kGemma3 && d.final_softcap > 0) {
    w->AddF32(p + "final_logit_softcapping", d.final_softcap);
  }
  if (d.rope_scaling.type == RopeScalingType::kLinear) {
    w->AddString(p + "rope.scaling.type", "linear");
    w->AddF32(p + "rope.scaling.factor", d.rope_scaling.factor);
  }
  if (d.rope_scaling.type == RopeScalingType::kYarn) {  // the keys llama.cpp's gpt-oss has
    w->AddString(p + "rope.scaling.type", "yarn");
    w->AddF32(p + "rope.scaling.factor", d.rope_scaling.factor);
    w->AddU32(p + "rope.scaling.original_context_length",
              static_cast<uint32_t>(d.rope_scaling.original_max_position));
  }
  if (d.arch == Architecture::kGranite) {
    w->AddF32(p + "embedding_scale", d.embedding_scale);
    w->AddF32(p + "residual_scale", d.residual_scale);
    w->AddF32(p + "attention.scale", d.attention_scale);
    w->AddF32(p + "logit_scale", d.logit_scale);
  }
  if (d.rope_scaling.type == RopeScalingType::kLongRope) {
    w->AddU32(p + "rope.scaling.original_context_length",
              static_cast<uint32_t>(d.rope_scaling.original_max_position));
    w->AddF32(p + "rope.scaling.attn_factor", d.rope_scaling.attn_factor);
  }
  if (IsBertFamily(d.arch)) {
    // llama.cpp's BERT reads LayerNorm's epsilon under its own key.
    w->AddF32(p + "attention.layer_norm_epsilon", d.rms_eps);
    w->AddBool(p + "attention.causal", d.causal);
  }
  if (IsBertFamily(d.arch) || d.pooling != Pooling::kNone) {
    // Pooling's order is llama.cpp's enum (none, mean, cls, last).
    w->AddU32(p + "pooling_type", static_cast<uint32_t>(d.pooling));
  }
  if (IsMoe(d)) {
    w->AddU32(p + "expert_count", static_cast<uint32_t>(d.n_expert));
    w->AddU32(p + "expert_used_count", static_cast<uint32_t>(d.n_expert_used));
    if (d.arch != Architecture::kLlama) {
      w->AddU32(p + "expert_feed_forward_length", static_cast<uint32_t>(d.n_ff_expert));
    }
    if (d.n_ff_shared_expert > 0) {
      w->AddU32(p + "expert_shared_feed_forward_length",
                static_cast<uint32_t>(d.n_ff_shared_expert));
    }
  }
  if (d.bos_id >= 0) w->AddU32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(d.bos_id));
  if (!d.eos_ids.empty()) {
    w->AddU32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(d.eos_ids[0]));
  }
}

// A tensor of Gaussian values around `mean` (std `scale`; all `mean` when scale is 0),
// `pool_rows` distinct rows (0: all) encoded once and repeated: the scalar K-type encoders
// would take minutes on billions of values, and benches need only the shapes.
gguf::GgufWriter::Filler RandomFiller(TensorType type, int64_t row_len, float scale, uint64_t seed,
                                      int64_t pool_rows, float mean = 0.0f) {
  return [=](uint8_t* dst, uint64_t nbytes) -> Status {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> dist(mean, scale);
    const auto row_bytes = static_cast<uint64_t>(RowBytes(type, row_len));
    std::vector<float> row(static_cast<size_t>(row_len));
    const auto pool = static_cast<uint64_t>(pool_rows);
    for (uint64_t off = 0, r = 0; off < nbytes; off += row_bytes, ++r) {
      if (pool != 0 && r >= pool) {
        std::memcpy(dst + off, dst + (r % pool) * row_bytes, row_bytes);
        continue;
      }
      for (float& v : row) v = scale == 0 ? mean : dist(rng);
      HFD_RETURN_IF_ERROR(QuantizeRow(type, row.data(), dst + off, row_len));
    }
    return Status::Ok();
  };
}

// The tokenizer of `vocab_path` fitted to `d`: padded to its n_vocab, and `d`'s special
// token ids taken from it.
Result<TokenizerMetadata> VocabularyFor(const std::filesystem::path& vocab_path, ModelDesc& d) {
  HFD_ASSIGN_OR_RETURN(const std::unique_ptr<gguf::GgufFile> vocab,
                       gguf::GgufFile::Open(vocab_path));
  HFD_ASSIGN_OR_RETURN(TokenizerMetadata tokenizer, ReadTokenizerMetadata(*vocab, {}));
  auto padded = PadTokens(tokenizer, static_cast<size_t>(d.n_vocab));
  if (!padded.ok()) return padded.WithContext(vocab_path.string());
  // The vocabulary's own BOS/EOS keys are copied; the description must not write others.
  d.bos_id = -1;
  d.eos_ids.clear();
  return tokenizer;
}

// The BERT family's token and token-type tables, BERT's learned positions, and their
// LayerNorm (weights of ones, random biases).
template <typename Matrix, typename Vector>
void AddEncoderEmbeddings(const ModelDesc& d, const Matrix& matrix, const Vector& vector) {
  matrix("token_embd.weight", d.n_embd, d.n_vocab);
  matrix("token_types.weight", d.n_embd, d.n_token_types);
  if (d.arch == Architecture::kBert) matrix("position_embd.weight", d.n_embd, d.n_ctx_train);
  vector("token_embd_norm.weight", d.n_embd, 0);
  vector("token_embd_norm.bias", d.n_embd, 0.02f);
}

// BERT's tensors (weight_check.cc lists them): LayerNorm weights of ones, random biases.
template <typename Matrix, typename Vector>
void AddBertTensors(const ModelDesc& d, const Matrix& matrix, const Vector& vector) {
  const int64_t e = d.n_embd;
  AddEncoderEmbeddings(d, matrix, vector);
  for (int64_t i = 0; i < d.n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    for (const char* m : {"attn_q", "attn_k", "attn_v", "attn_output"}) {
      matrix(b + m + ".weight", e, e);
      vector(b + m + ".bias", e, 0.02f);
    }
    vector(b + "attn_output_norm.weight", e, 0);
    vector(b + "attn_output_norm.bias", e, 0.02f);
    matrix(b + "ffn_up.weight", e, d.n_ff);
    vector(b + "ffn_up.bias", d.n_ff, 0.02f);
    matrix(b + "ffn_down.weight", d.n_ff, e);
    vector(b + "ffn_down.bias", e, 0.02f);
    vector(b + "layer_output_norm.weight", e, 0);
    vector(b + "layer_output_norm.bias", e, 0.02f);
  }
}

// nomic-bert's tensors as llama.cpp names them: no positions table, fused QKV, SwiGLU, no
// projection biases.
template <typename Matrix, typename Vector>
void AddNomicBertTensors(const ModelDesc& d, const Matrix& matrix, const Vector& vector) {
  const int64_t e = d.n_embd;
  AddEncoderEmbeddings(d, matrix, vector);
  for (int64_t i = 0; i < d.n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    matrix(b + "attn_qkv.weight", e, 3 * e);
    matrix(b + "attn_output.weight", e, e);
    vector(b + "attn_output_norm.weight", e, 0);
    vector(b + "attn_output_norm.bias", e, 0.02f);
    matrix(b + "ffn_up.weight", e, d.n_ff);
    matrix(b + "ffn_gate.weight", e, d.n_ff);
    matrix(b + "ffn_down.weight", d.n_ff, e);
    vector(b + "layer_output_norm.weight", e, 0);
    vector(b + "layer_output_norm.bias", e, 0.02f);
  }
}

// A mixture-of-experts layer's tensors as llama.cpp names them (weight_check.cc): the
// router (F32, as llama.cpp's converter keeps it), the stacked experts, and a shared expert
// with its gate when the model has one.
template <typename Matrix, typename F32Matrix, typename Stacked, typename Vector>
void AddExpertTensors(const ModelDesc& d, const std::string& b, const Matrix& matrix,
                      const F32Matrix& f32_matrix, const Stacked& stacked, const Vector& vector) {
  const int64_t e = d.n_embd, ff = d.n_ff_expert;
  f32_matrix(b + "ffn_gate_inp.weight", e, d.n_expert);
  stacked(b + "ffn_gate_exps.weight", e, ff, d.n_expert);
  stacked(b + "ffn_up_exps.weight", e, ff, d.n_expert);
  stacked(b + "ffn_down_exps.weight", ff, e, d.n_expert);
  if (d.expert_bias) {  // gpt-oss: the router's and each expert's biases, F32
    vector(b + "ffn_gate_inp.bias", d.n_expert, 0.5f);
    f32_matrix(b + "ffn_gate_exps.bias", ff, d.n_expert);
    f32_matrix(b + "ffn_up_exps.bias", ff, d.n_expert);
    f32_matrix(b + "ffn_down_exps.bias", e, d.n_expert);
  }
  if (d.n_ff_shared_expert == 0) return;
  matrix(b + "ffn_gate_shexp.weight", e, d.n_ff_shared_expert);
  matrix(b + "ffn_up_shexp.weight", e, d.n_ff_shared_expert);
  matrix(b + "ffn_down_shexp.weight", d.n_ff_shared_expert, e);
  vector(b + "ffn_gate_inp_shexp.weight", e, 1.0f / std::sqrt(static_cast<float>(e)));
}

}  // namespace

Status WriteSyntheticGguf(const ModelDesc& d, TensorType weight_type,
                          const std::filesystem::path& path, uint64_t seed) {
  SyntheticOptions options;
  options.seed = seed;
  return WriteSyntheticGguf(d, weight_type, path, options);
}

Status WriteSyntheticGguf(const ModelDesc& desc, TensorType weight_type,
                          const std::filesystem::path& path, const SyntheticOptions& options) {
  HFD_RETURN_IF_ERROR(ValidateDesc(desc));
  ModelDesc d = desc;
  std::optional<TokenizerMetadata> vocabulary;
  if (!options.vocab_from.empty()) {
    HFD_ASSIGN_OR_RETURN(vocabulary, VocabularyFor(options.vocab_from, d));
  }
  gguf::GgufWriter w;
  AddMetadata(d, &w);
  if (vocabulary) WriteTokenizerMetadata(*vocabulary, w);
  if (options.extra_metadata) options.extra_metadata(w);
  uint64_t n = options.seed;
  const int64_t pool = options.distinct_rows;
  const float scale = 1.0f / std::sqrt(static_cast<float>(d.n_embd));
  auto matrix = [&](const std::string& name, int64_t cols, int64_t rows) {
    const TensorType type = options.tensor_type ? options.tensor_type(name, cols) : weight_type;
    w.AddTensor(name, type, {cols, rows}, RandomFiller(type, cols, scale, ++n, pool));
  };
  auto vector = [&](const std::string& name, int64_t len, float s) {
    w.AddTensor(name, TensorType::kF32, {len}, RandomFiller(TensorType::kF32, len, s, ++n, pool));
  };
  auto f32_matrix = [&](const std::string& name, int64_t cols, int64_t rows) {
    w.AddTensor(name, TensorType::kF32, {cols, rows},
                RandomFiller(TensorType::kF32, cols, scale, ++n, pool));
  };
  auto stacked = [&](const std::string& name, int64_t cols, int64_t rows, int64_t experts) {
    TensorType type = options.tensor_type ? options.tensor_type(name, cols) : weight_type;
    // gpt-oss's experts are MXFP4 in its published checkpoints and llama.cpp's files.
    if (d.arch == Architecture::kGptOss && cols % 32 == 0) type = TensorType::kMXFP4;
    w.AddTensor(name, type, {cols, rows, experts}, RandomFiller(type, cols, scale, ++n, pool));
  };
  auto norm = [&](const std::string& name, int64_t len) {
    w.AddTensor(name, TensorType::kF32, {len},
                RandomFiller(TensorType::kF32, len, options.norm_spread, ++n, pool, 1.0f));
  };
  if (d.arch == Architecture::kBert) {
    AddBertTensors(d, matrix, vector);
    return w.Write(path);
  }
  if (d.arch == Architecture::kNomicBert) {
    AddNomicBertTensors(d, matrix, vector);
    return w.Write(path);
  }
  const int64_t q_dim = d.n_head * d.head_dim, kv_dim = d.n_head_kv * d.head_dim;
  matrix("token_embd.weight", d.n_embd, d.n_vocab);
  norm("output_norm.weight", d.n_embd);
  if (!d.tied_embeddings) matrix("output.weight", d.n_embd, d.n_vocab);
  auto values = [&](const std::string& name, const std::vector<float>& v) {
    if (v.empty()) return;
    std::vector<uint8_t> bytes(v.size() * 4);
    std::memcpy(bytes.data(), v.data(), bytes.size());
    w.AddTensor(name, TensorType::kF32, {static_cast<int64_t>(v.size())}, std::move(bytes));
  };
  // Only Llama 3.1's divisors are a tensor; linear scaling is the keys above.
  if (d.rope_scaling.type == RopeScalingType::kLlama3) {
    values("rope_freqs.weight", d.rope_freq_factors);
  }
  values("rope_factors_long.weight", d.rope_scaling.long_factors);
  values("rope_factors_short.weight", d.rope_scaling.short_factors);
  // Phi-3 stores q, k, v as one tensor and gate, up as one, as llama.cpp's converter does.
  const bool fused = d.arch == Architecture::kPhi3;
  for (int64_t i = 0; i < d.n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    if (d.pre_norms) norm(b + "attn_norm.weight", d.n_embd);
    if (fused) {
      matrix(b + "attn_qkv.weight", d.n_embd, q_dim + 2 * kv_dim);
    } else {
      matrix(b + "attn_q.weight", d.n_embd, q_dim);
      matrix(b + "attn_k.weight", d.n_embd, kv_dim);
      matrix(b + "attn_v.weight", d.n_embd, kv_dim);
    }
    matrix(b + "attn_output.weight", q_dim, d.n_embd);
    if (d.attn_output_bias) vector(b + "attn_output.bias", d.n_embd, 0.02f);
    if (d.attn_sinks) vector(b + "attn_sinks.weight", d.n_head, 1.0f);
    if (d.qkv_bias) {
      vector(b + "attn_q.bias", q_dim, 0.02f);
      vector(b + "attn_k.bias", kv_dim, 0.02f);
      vector(b + "attn_v.bias", kv_dim, 0.02f);
    }
    if (d.qk_norm) {
      norm(b + "attn_q_norm.weight", QNormWidth(d));
      norm(b + "attn_k_norm.weight", KNormWidth(d));
    }
    if (d.post_norms) {
      norm(b + "post_attention_norm.weight", d.n_embd);
      norm(b + "post_ffw_norm.weight", d.n_embd);
    }
    if (d.pre_norms) norm(b + FfnNormName(d), d.n_embd);
    if (IsMoe(d)) {
      AddExpertTensors(d, b, matrix, f32_matrix, stacked, vector);
      continue;
    }
    if (!fused) matrix(b + "ffn_gate.weight", d.n_embd, d.n_ff);
    matrix(b + "ffn_up.weight", d.n_embd, fused ? 2 * d.n_ff : d.n_ff);
    matrix(b + "ffn_down.weight", d.n_ff, d.n_embd);
  }
  return w.Write(path);
}

Result<ModelDesc> PresetDesc(std::string_view name) {
  ModelDesc d;
  d.rope_layout = RopeLayout::kInterleaved;
  d.bos_id = 1;
  d.eos_ids = {2};
  if (name == "tinyllama-1.1b") {
    d.n_vocab = 32000, d.n_embd = 2048, d.n_layer = 22, d.n_head = 32, d.n_head_kv = 4;
    d.n_ff = 5632, d.n_ctx_train = 2048, d.rope_theta = 10000.0f;
  } else if (name == "llama-3.2-1b") {
    d.n_vocab = 128256, d.n_embd = 2048, d.n_layer = 16, d.n_head = 32, d.n_head_kv = 8;
    d.n_ff = 8192, d.n_ctx_train = 131072, d.rope_theta = 500000.0f, d.tied_embeddings = true;
    d.bos_id = 128000, d.eos_ids = {128001, 128008, 128009};
    d.rope_scaling = {RopeScalingType::kLlama3, 32.0f, 1.0f, 4.0f, 8192, {}, {}, 1.0f};
  } else if (name == "qwen2.5-0.5b") {
    d.arch = Architecture::kQwen2, d.rope_layout = RopeLayout::kHalfSplit;
    d.n_vocab = 151936, d.n_embd = 896, d.n_layer = 24, d.n_head = 14, d.n_head_kv = 2;
    d.n_ff = 4864, d.n_ctx_train = 32768, d.rope_theta = 1000000.0f, d.rms_eps = 1e-6f;
    d.tied_embeddings = true, d.qkv_bias = true, d.bos_id = 151643, d.eos_ids = {151645};
  } else if (name == "llama-3-8b") {
    d.n_vocab = 128256, d.n_embd = 4096, d.n_layer = 32, d.n_head = 32, d.n_head_kv = 8;
    d.n_ff = 14336, d.n_ctx_train = 8192, d.rope_theta = 500000.0f;
    d.bos_id = 128000, d.eos_ids = {128001, 128009};
  } else if (name == "gemma-2-2b") {
    d.arch = Architecture::kGemma2, d.rope_layout = RopeLayout::kHalfSplit;
    SetGemma2Traits(d);
    d.n_vocab = 256000, d.n_embd = 2304, d.n_layer = 26, d.n_head = 8, d.n_head_kv = 4;
    d.head_dim = 256, d.n_ff = 9216, d.n_ctx_train = 8192, d.rms_eps = 1e-6f;
    d.sliding_window = 4096, d.attn_softcap = 50.0f, d.final_softcap = 30.0f;
    d.tied_embeddings = true, d.bos_id = 2, d.eos_ids = {1, 107};
  } else if (name == "granite-3-2b") {  // ibm-granite/granite-3.0-2b-instruct's config.json
    d.arch = Architecture::kGranite;
    d.n_vocab = 49155, d.n_embd = 2048, d.n_layer = 40, d.n_head = 32, d.n_head_kv = 8;
    d.n_ff = 8192, d.n_ctx_train = 4096, d.rope_theta = 10000.0f, d.tied_embeddings = true;
    d.embedding_scale = 12.0f, d.residual_scale = 0.22f, d.attention_scale = 0.015625f;
    d.logit_scale = 8.0f, d.bos_id = 0, d.eos_ids = {0};
  } else if (name == "phi-3-mini") {  // Phi-3-mini-4k-instruct
    d.arch = Architecture::kPhi3, d.rope_layout = RopeLayout::kHalfSplit;
    d.n_vocab = 32064, d.n_embd = 3072, d.n_layer = 32, d.n_head = 32, d.n_head_kv = 32;
    d.n_ff = 8192, d.n_ctx_train = 4096, d.rope_theta = 10000.0f, d.sliding_window = 2047;
    d.bos_id = 1, d.eos_ids = {32000, 32007};
  } else if (name == "qwen1.5-moe-a2.7b") {  // Qwen/Qwen1.5-MoE-A2.7B's config.json
    d.arch = Architecture::kQwen2Moe, d.rope_layout = RopeLayout::kHalfSplit;
    d.n_vocab = 151936, d.n_embd = 2048, d.n_layer = 24, d.n_head = 16, d.n_head_kv = 16;
    d.n_ff = 5632, d.n_ctx_train = 8192, d.rope_theta = 1000000.0f, d.rms_eps = 1e-6f;
    d.qkv_bias = true, d.n_expert = 60, d.n_expert_used = 4, d.n_ff_expert = 1408;
    d.n_ff_shared_expert = 5632, d.bos_id = 151643, d.eos_ids = {151643};
  } else if (name == "qwen3-30b-a3b") {  // Qwen/Qwen3-30B-A3B's config.json
    d.arch = Architecture::kQwen3Moe, d.rope_layout = RopeLayout::kHalfSplit;
    d.n_vocab = 151936, d.n_embd = 2048, d.n_layer = 48, d.n_head = 32, d.n_head_kv = 4;
    d.head_dim = 128, d.n_ff = 6144, d.n_ctx_train = 40960, d.rope_theta = 1000000.0f;
    d.rms_eps = 1e-6f, d.qk_norm = true, d.n_expert = 128, d.n_expert_used = 8;
    d.n_ff_expert = 768, d.expert_weights_norm = true, d.bos_id = 151643, d.eos_ids = {151645};
  } else if (name == "gpt-oss-20b") {  // openai/gpt-oss-20b's config.json
    d.arch = Architecture::kGptOss;
    SetGptOssTraits(d);
    d.n_vocab = 201088, d.n_embd = 2880, d.n_layer = 24, d.n_head = 64, d.n_head_kv = 8;
    d.head_dim = 64, d.n_ff = 2880, d.n_ctx_train = 131072, d.rope_theta = 150000.0f;
    d.sliding_window = 128, d.n_expert = 32, d.n_expert_used = 4, d.n_ff_expert = 2880;
    d.rope_scaling.type = RopeScalingType::kYarn, d.rope_scaling.factor = 32.0f;
    d.rope_scaling.original_max_position = 4096;
    d.rope_scaling.attn_factor = static_cast<float>(YarnMscale(32.0));
    d.bos_id = 199998, d.eos_ids = {200002};
  } else if (name == "bert-base") {  // BAAI/bge-base-en-v1.5: BERT-base, CLS pooling
    d.arch = Architecture::kBert;
    SetBertTraits(d);
    d.n_vocab = 30522, d.n_embd = 768, d.n_layer = 12, d.n_head = 12, d.n_head_kv = 12;
    d.n_ff = 3072, d.n_ctx_train = 512, d.rms_eps = 1e-12f, d.pooling = Pooling::kCls;
    d.bos_id = 101, d.eos_ids = {102};
  } else {
    return NotFound("no preset model '" + std::string(name) +
                    "' (tinyllama-1.1b, llama-3.2-1b, qwen2.5-0.5b, llama-3-8b, gemma-2-2b, "
                    "granite-3-2b, phi-3-mini, qwen1.5-moe-a2.7b, qwen3-30b-a3b, gpt-oss-20b, "
                    "bert-base)");
  }
  if (d.head_dim == 0) d.head_dim = d.n_embd / d.n_head;
  if (d.rope_scaling.type == RopeScalingType::kLlama3) {
    d.rope_freq_factors = Llama3FreqFactors(d.rope_scaling, d.rope_theta, d.head_dim);
  }
  SetScaledRopeFreqFactors(d);
  return d;
}

std::vector<int32_t> RandomTokens(int n, int64_t vocab, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> dist(0, static_cast<int32_t>(vocab - 1));
  std::vector<int32_t> ids(n);
  for (int32_t& id : ids) id = dist(rng);
  return ids;
}

}  // namespace hfd::model
