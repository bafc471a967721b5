// Model description from config.json and GGUF metadata, name mapping, and OpenModelFiles
// on synthetic models (valid and broken).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/model/desc_from_config.h"
#include "engine/model/desc_from_gguf.h"
#include "engine/model/model_files.h"
#include "engine/model/synthetic_gguf.h"
#include "engine/model/tensor_names.h"
#include "tests/formats/gguf_test_util.h"
#include "tests/support/fixtures.h"

namespace hfd::model {
namespace {

TEST(TensorNamesTest, MapsBothWays) {
  EXPECT_EQ(CanonicalFromHf("model.layers.12.self_attn.q_proj.weight"), "blk.12.attn_q.weight");
  EXPECT_EQ(CanonicalFromHf("model.layers.0.self_attn.k_proj.bias"), "blk.0.attn_k.bias");
  EXPECT_EQ(CanonicalFromHf("model.layers.3.self_attn.q_norm.weight"), "blk.3.attn_q_norm.weight");
  EXPECT_EQ(CanonicalFromHf("model.layers.1.post_attention_layernorm.weight"),
            "blk.1.ffn_norm.weight");
  EXPECT_EQ(CanonicalFromHf("model.layers.1.mlp.down_proj.weight"), "blk.1.ffn_down.weight");
  EXPECT_EQ(CanonicalFromHf("model.embed_tokens.weight"), "token_embd.weight");
  EXPECT_EQ(CanonicalFromHf("lm_head.weight"), "output.weight");
  EXPECT_EQ(CanonicalFromHf("model.norm.weight"), "output_norm.weight");
  EXPECT_EQ(CanonicalFromHf("model.layers.0.self_attn.rotary_emb.inv_freq"), std::nullopt);
  EXPECT_EQ(CanonicalFromHf("model.layers.x.mlp.up_proj.weight"), std::nullopt);
  EXPECT_EQ(CanonicalFromHf("model.layers..mlp.up_proj.weight"), std::nullopt);
  EXPECT_EQ(HfFromCanonical("blk.7.ffn_gate.weight"), "model.layers.7.mlp.gate_proj.weight");
  EXPECT_EQ(HfFromCanonical("output_norm.weight"), "model.norm.weight");
  EXPECT_EQ(HfFromCanonical("rope_freqs.weight"), std::nullopt);
  // Gemma 2's four norms: its post_attention_layernorm follows attention.
  const Architecture g = Architecture::kGemma2;
  EXPECT_EQ(CanonicalFromHf("model.layers.1.post_attention_layernorm.weight", g),
            "blk.1.post_attention_norm.weight");
  EXPECT_EQ(CanonicalFromHf("model.layers.1.pre_feedforward_layernorm.weight", g),
            "blk.1.ffn_norm.weight");
  EXPECT_EQ(CanonicalFromHf("model.layers.1.post_feedforward_layernorm.weight", g),
            "blk.1.post_ffw_norm.weight");
  EXPECT_EQ(CanonicalFromHf("model.layers.1.mlp.up_proj.weight", g), "blk.1.ffn_up.weight");
  EXPECT_EQ(HfFromCanonical("blk.4.ffn_norm.weight", g),
            "model.layers.4.pre_feedforward_layernorm.weight");
  EXPECT_EQ(HfFromCanonical("blk.4.attn_norm.weight", g), "model.layers.4.input_layernorm.weight");
}

// Gemma 3's text model under either multimodal prefix maps as Gemma3ForCausalLM's; the
// vision tower and projector map to nothing and are recognized as vision tensors.
TEST(TensorNamesTest, Gemma3MultimodalNames) {
  const Architecture g = Architecture::kGemma3;
  for (const char* name : {"model.layers.2.self_attn.k_norm.weight",
                           "language_model.model.layers.2.self_attn.k_norm.weight",
                           "model.language_model.layers.2.self_attn.k_norm.weight"}) {
    EXPECT_EQ(CanonicalFromHf(name, g), "blk.2.attn_k_norm.weight") << name;
  }
  EXPECT_EQ(CanonicalFromHf("language_model.lm_head.weight", g), "output.weight");
  EXPECT_EQ(CanonicalFromHf("model.language_model.embed_tokens.weight", g), "token_embd.weight");
  EXPECT_EQ(CanonicalFromHf("language_model.model.layers.0.pre_feedforward_layernorm.weight", g),
            "blk.0.ffn_norm.weight");
  for (const char* name : {"vision_tower.vision_model.embeddings.patch_embedding.weight",
                           "model.multi_modal_projector.mm_input_projection_weight"}) {
    EXPECT_EQ(CanonicalFromHf(name, g), std::nullopt) << name;
    EXPECT_TRUE(IsVisionTensor(name)) << name;
  }
  EXPECT_FALSE(IsVisionTensor("language_model.model.norm.weight"));
}

nlohmann::json BaseConfig() {
  return {{"model_type", "llama"},          {"vocab_size", 100},        {"hidden_size", 64},
          {"num_hidden_layers", 2},         {"num_attention_heads", 4}, {"intermediate_size", 128},
          {"max_position_embeddings", 512}, {"eos_token_id", 2}};
}

Result<ModelDesc> FromConfig(const nlohmann::json& c, const std::string& gen = "") {
  return DescFromConfig(c.dump(), gen);
}

TEST(DescFromConfigTest, Gemma2KeysAndTraits) {
  nlohmann::json c = BaseConfig();
  c["model_type"] = "gemma2";
  c["sliding_window"] = 64;
  c["attn_logit_softcapping"] = 50.0;
  c["final_logit_softcapping"] = nullptr;  // Gemma2Config allows none
  c["query_pre_attn_scalar"] = 24;
  auto d = FromConfig(c);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->arch, Architecture::kGemma2);
  EXPECT_TRUE(d->tied_embeddings);  // Gemma2Config's default
  EXPECT_TRUE(d->post_norms);
  EXPECT_TRUE(d->scale_embeddings);
  EXPECT_EQ(d->ffn_activation, FfnActivation::kGeluTanh);
  EXPECT_EQ(d->sliding_window, 64);
  EXPECT_EQ(d->sliding_window_pattern, 2);
  EXPECT_FLOAT_EQ(d->attn_softcap, 50.0f);
  EXPECT_FLOAT_EQ(d->final_softcap, 0.0f);
  EXPECT_EQ(d->query_pre_attn_scalar, 24);
}

// google/gemma-3-4b-it's config.json: the text model's sizes, window and global rope scaling
// under text_config, the rest Gemma3TextConfig's defaults.
nlohmann::json Gemma3MultimodalConfig() {
  return {{"architectures", {"Gemma3ForConditionalGeneration"}},
          {"model_type", "gemma3"},
          {"eos_token_id", {1, 106}},
          {"text_config",
           {{"hidden_size", 2560},
            {"intermediate_size", 10240},
            {"model_type", "gemma3_text"},
            {"num_hidden_layers", 34},
            {"rope_scaling", {{"factor", 8.0}, {"rope_type", "linear"}}},
            {"sliding_window", 1024}}},
          {"vision_config", {{"model_type", "siglip_vision_model"}, {"hidden_size", 1152}}}};
}

TEST(DescFromConfigTest, Gemma3TextConfigDefaultsAndTraits) {
  auto d = FromConfig(Gemma3MultimodalConfig());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->arch, Architecture::kGemma3);
  EXPECT_EQ(d->n_vocab, 262208);
  EXPECT_EQ(d->n_embd, 2560);
  EXPECT_EQ(d->n_head, 8);
  EXPECT_EQ(d->n_head_kv, 4);
  EXPECT_EQ(d->head_dim, 256);
  EXPECT_EQ(d->query_pre_attn_scalar, 256);
  EXPECT_EQ(d->n_ctx_train, 131072);
  EXPECT_TRUE(d->tied_embeddings);
  EXPECT_TRUE(d->qk_norm);
  EXPECT_TRUE(d->post_norms);
  EXPECT_TRUE(d->scale_embeddings);
  EXPECT_EQ(d->ffn_activation, FfnActivation::kGeluTanh);
  EXPECT_FLOAT_EQ(d->attn_softcap, 0.0f);
  EXPECT_FLOAT_EQ(d->final_softcap, 0.0f);
  EXPECT_EQ(d->eos_ids, (std::vector<int32_t>{1, 106}));
  EXPECT_EQ(d->sliding_window, 1024);
  EXPECT_EQ(d->sliding_window_pattern, 6);
  EXPECT_FLOAT_EQ(d->rope_theta, 1e6f);
  EXPECT_FLOAT_EQ(d->rope_local_theta, 1e4f);
  EXPECT_EQ(d->rope_scaling.type, RopeScalingType::kLinear);
  EXPECT_EQ(d->rope_freq_factors, std::vector<float>(128, 8.0f));
  // Layers 5, 11, ... are global: the window and the local base skip them.
  for (int64_t layer = 0; layer < d->n_layer; ++layer) {
    const bool global = layer % 6 == 5;
    EXPECT_EQ(UsesSlidingWindow(*d, layer), !global) << layer;
    EXPECT_EQ(UsesLocalRope(*d, layer), !global) << layer;
  }
}

// transformers 5 writes the pattern as layer_types and the rope settings per layer type;
// Gemma3ForCausalLM's "gemma3_text" config is the text config itself.
TEST(DescFromConfigTest, Gemma3LayerTypesAndRopeParametersPerLayerType) {
  nlohmann::json text = Gemma3MultimodalConfig()["text_config"];
  text["architectures"] = {"Gemma3ForCausalLM"};
  text["num_hidden_layers"] = 8;
  text["sliding_window_pattern"] = 4;
  auto old = FromConfig(text);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  text.erase("sliding_window_pattern");
  text.erase("rope_scaling");
  text["layer_types"] = nlohmann::json::array();
  for (int i = 0; i < 8; ++i) {
    text["layer_types"].push_back(i % 4 == 3 ? "full_attention" : "sliding_attention");
  }
  text["rope_parameters"] = {
      {"full_attention", {{"rope_type", "linear"}, {"factor", 8.0}, {"rope_theta", 1e6}}},
      {"sliding_attention", {{"rope_type", "default"}, {"rope_theta", 2e4}}}};
  auto d = FromConfig(text);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->sliding_window_pattern, 4);
  EXPECT_EQ(old->sliding_window_pattern, 4);
  EXPECT_EQ(d->rope_scaling.type, RopeScalingType::kLinear);
  EXPECT_EQ(d->rope_freq_factors, old->rope_freq_factors);
  EXPECT_FLOAT_EQ(d->rope_theta, 1e6f);
  EXPECT_FLOAT_EQ(d->rope_local_theta, 2e4f);
}

TEST(DescFromConfigTest, DefaultsAndExplicitValues) {
  auto d = FromConfig(BaseConfig());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->n_head_kv, 4);
  EXPECT_EQ(d->head_dim, 16);
  EXPECT_EQ(d->rope_layout, RopeLayout::kHalfSplit);
  EXPECT_EQ(d->bos_id, -1);
  EXPECT_EQ(d->eos_ids, std::vector<int32_t>{2});
  EXPECT_FLOAT_EQ(d->rope_theta, 10000.0f);

  nlohmann::json c = BaseConfig();
  c["model_type"] = "mistral";
  c["sliding_window"] = 128;
  c["head_dim"] = 32;
  c["num_key_value_heads"] = 2;
  auto m = FromConfig(c, R"({"eos_token_id": [2, 7]})");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->arch, Architecture::kMistral);
  EXPECT_EQ(m->sliding_window, 128);
  EXPECT_EQ(m->head_dim, 32);
  EXPECT_EQ(m->eos_ids, (std::vector<int32_t>{2, 7}));
}

TEST(DescFromConfigTest, ReadsArchitecturesListAndTransformers5RopeParameters) {
  nlohmann::json c = BaseConfig();
  c.erase("model_type");
  c["architectures"] = {"Qwen3ForCausalLM"};
  c["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", 1e6}};
  auto d = FromConfig(c);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->arch, Architecture::kQwen3);
  EXPECT_TRUE(d->qk_norm);
  EXPECT_FLOAT_EQ(d->rope_theta, 1e6f);
}

TEST(DescFromConfigTest, Llama3ScalingGivesFrequencyFactors) {
  nlohmann::json c = BaseConfig();
  c["rope_theta"] = 500000.0;
  c["rope_scaling"] = {{"rope_type", "llama3"},
                       {"factor", 8.0},
                       {"low_freq_factor", 1.0},
                       {"high_freq_factor", 4.0},
                       {"original_max_position_embeddings", 8192}};
  auto d = FromConfig(c);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->rope_freq_factors.size(), 8u);
  EXPECT_FLOAT_EQ(d->rope_freq_factors.front(), 1.0f);  // highest frequency: unchanged
  EXPECT_FLOAT_EQ(d->rope_freq_factors.back(), 8.0f);   // lowest: divided by factor
}

void ExpectRefused(const nlohmann::json& c, ErrorCode code, std::string_view words) {
  auto d = FromConfig(c);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), code) << d.status().ToString();
  EXPECT_NE(d.status().message().find(words), std::string::npos) << d.status().ToString();
}

TEST(DescFromConfigTest, RefusesWhatItCannotRunNamingIt) {
  nlohmann::json c = BaseConfig();
  c["model_type"] = "mamba";
  ExpectRefused(c, ErrorCode::kUnsupported, "'mamba'");
  c["model_type"] = "gemma2";
  c["hidden_activation"] = "gelu";
  ExpectRefused(c, ErrorCode::kUnsupported, "hidden_activation 'gelu'");
  c["hidden_activation"] = "gelu_pytorch_tanh";
  c["layer_types"] = {"full_attention", "sliding_attention"};
  ExpectRefused(c, ErrorCode::kUnsupported, "layer_types");
  c = BaseConfig();
  c["rope_scaling"] = {{"type", "ntk-by-parts"}, {"factor", 2.0}};
  ExpectRefused(c, ErrorCode::kUnsupported, "'ntk-by-parts'");
  c = BaseConfig();
  c.erase("hidden_size");
  ExpectRefused(c, ErrorCode::kCorrupt, "hidden_size");
  c = BaseConfig();
  c["num_attention_heads"] = "four";
  ExpectRefused(c, ErrorCode::kCorrupt, "num_attention_heads");
  c = BaseConfig();
  c["num_key_value_heads"] = 3;
  ExpectRefused(c, ErrorCode::kCorrupt, "KV heads");
  c = BaseConfig();
  c["eos_token_id"] = {"x"};
  ExpectRefused(c, ErrorCode::kCorrupt, "eos_token_id");
  EXPECT_EQ(DescFromConfig("{oops", "").status().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(DescFromConfig("[]", "").status().code(), ErrorCode::kCorrupt);
}

TEST(DescFromConfigTest, Gemma3RefusalsNameTheKey) {
  nlohmann::json c = Gemma3MultimodalConfig();
  c.erase("text_config");
  ExpectRefused(c, ErrorCode::kCorrupt, "\"text_config\"");
  c = Gemma3MultimodalConfig();
  c["text_config"].erase("hidden_size");
  ExpectRefused(c, ErrorCode::kCorrupt, "\"hidden_size\"");
  c = Gemma3MultimodalConfig();
  c["text_config"]["num_hidden_layers"] = 3;
  c["text_config"]["layer_types"] = {"sliding_attention", "full_attention", "full_attention"};
  ExpectRefused(c, ErrorCode::kUnsupported, "\"layer_types\"");
  c["text_config"]["layer_types"] = {"sliding_attention", "full_attention"};
  ExpectRefused(c, ErrorCode::kCorrupt, "\"layer_types\" lists 2 layers");
  c = Gemma3MultimodalConfig();
  c["text_config"]["rope_local_base_freq"] = 0;
  ExpectRefused(c, ErrorCode::kCorrupt, "\"rope_local_base_freq\"");
  c = Gemma3MultimodalConfig();
  c["text_config"]["hidden_activation"] = "silu";
  ExpectRefused(c, ErrorCode::kUnsupported, "hidden_activation 'silu'");
}

ModelDesc SmallDesc() {
  ModelDesc d;
  d.n_vocab = 64, d.n_embd = 64, d.n_layer = 2, d.n_head = 4, d.n_head_kv = 2, d.head_dim = 16;
  d.n_ff = 96, d.n_ctx_train = 256, d.bos_id = 1, d.eos_ids = {2};
  d.rope_layout = RopeLayout::kInterleaved;
  return d;
}

TEST(ModelFilesTest, SyntheticGgufRoundTripsItsDescription) {
  hfd::testing::TempDir dir;
  for (const Architecture arch : {Architecture::kLlama, Architecture::kQwen2}) {
    ModelDesc d = SmallDesc();
    d.arch = arch;
    d.qkv_bias = arch == Architecture::kQwen2;
    d.tied_embeddings = arch == Architecture::kQwen2;
    const auto path = dir.path() / "m.gguf";
    ASSERT_TRUE(WriteSyntheticGguf(d, TensorType::kQ8_0, path).ok());
    auto files = OpenModelFiles(path);
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    const ModelDesc& got = (*files)->desc();
    EXPECT_EQ(got.arch, arch);
    EXPECT_EQ(got.n_embd, 64);
    EXPECT_EQ(got.head_dim, 16);
    EXPECT_EQ(got.qkv_bias, d.qkv_bias);
    EXPECT_EQ(got.tied_embeddings, d.tied_embeddings);
    EXPECT_EQ(got.rope_layout,
              arch == Architecture::kLlama ? RopeLayout::kInterleaved : RopeLayout::kHalfSplit);
    auto w = (*files)->Weight("blk.1.ffn_down.weight");
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(w->type, TensorType::kQ8_0);
    EXPECT_EQ(w->shape, (std::vector<int64_t>{96, 64}));
  }
}

nlohmann::json GraniteConfig() {
  nlohmann::json c = BaseConfig();
  c["model_type"] = "granite";
  c["embedding_multiplier"] = 12.0;
  c["residual_multiplier"] = 0.22;
  c["attention_multiplier"] = 0.015625;
  c["logits_scaling"] = 8.0;
  return c;
}

TEST(DescFromConfigTest, GraniteMultipliersAndOlmo2Traits) {
  auto g = FromConfig(GraniteConfig());
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->arch, Architecture::kGranite);
  EXPECT_FLOAT_EQ(g->embedding_scale, 12.0f);
  EXPECT_FLOAT_EQ(g->residual_scale, 0.22f);
  EXPECT_FLOAT_EQ(g->attention_scale, 0.015625f);
  EXPECT_FLOAT_EQ(g->logit_scale, 8.0f);  // a divisor, as GGUF's logit_scale
  nlohmann::json c = BaseConfig();
  c["architectures"] = {"Olmo2ForCausalLM"};
  c.erase("model_type");
  auto o = FromConfig(c);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->arch, Architecture::kOlmo2);
  EXPECT_FALSE(o->pre_norms);
  EXPECT_TRUE(o->post_norms && o->qk_norm && o->qk_norm_full_width);
  EXPECT_EQ(QNormWidth(*o), 64);
}

// Bad Granite configs name the key at fault.
TEST(DescFromConfigTest, GraniteRefusalsNameTheKey) {
  for (const char* key :
       {"embedding_multiplier", "residual_multiplier", "attention_multiplier", "logits_scaling"}) {
    nlohmann::json c = GraniteConfig();
    c.erase(key);
    auto d = FromConfig(c);
    ASSERT_FALSE(d.ok()) << key;
    EXPECT_NE(d.status().message().find(key), std::string::npos) << d.status().ToString();
    c[key] = -1.0;
    d = FromConfig(c);
    ASSERT_FALSE(d.ok()) << key;
    EXPECT_NE(d.status().message().find(key), std::string::npos) << d.status().ToString();
  }
  nlohmann::json c = GraniteConfig();
  c["hidden_size"] = 66;  // not a multiple of 4 heads
  auto d = FromConfig(c);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("\"hidden_size\""), std::string::npos);
  c = GraniteConfig();
  c["num_key_value_heads"] = 3;  // 4 heads are not a multiple of 3
  d = FromConfig(c);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("\"num_key_value_heads\""), std::string::npos)
      << d.status().ToString();
}

// nomic-embed-text-v1.5's config.json, shrunk.
nlohmann::json NomicBertConfig() {
  return {{"model_type", "nomic_bert"},
          {"architectures", {"NomicBertModel"}},
          {"vocab_size", 100},
          {"n_embd", 64},
          {"n_layer", 2},
          {"n_head", 4},
          {"n_inner", 96},
          {"n_positions", 8192},
          {"max_trained_positions", 2048},
          {"type_vocab_size", 2},
          {"layer_norm_epsilon", 1e-12},
          {"rotary_emb_base", 1000},
          {"rotary_emb_fraction", 1.0},
          {"rotary_emb_interleaved", false},
          {"rotary_emb_scale_base", nullptr},
          {"rotary_scaling_factor", nullptr},
          {"activation_function", "swiglu"},
          {"qkv_proj_bias", false},
          {"mlp_fc1_bias", false},
          {"mlp_fc2_bias", false},
          {"prenorm", false},
          {"causal", false}};
}

TEST(DescFromConfigTest, NomicBertKeysNamesAndRefusals) {
  auto d = FromConfig(NomicBertConfig());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->arch, Architecture::kNomicBert);
  EXPECT_EQ(d->n_embd, 64);
  EXPECT_EQ(d->n_ff, 96);
  EXPECT_EQ(d->head_dim, 16);
  EXPECT_EQ(d->n_ctx_train, 2048);  // max_trained_positions, as llama.cpp's converter
  EXPECT_EQ(d->n_token_types, 2);
  EXPECT_FLOAT_EQ(d->rope_theta, 1000.0f);
  EXPECT_FALSE(d->causal);
  const Architecture n = Architecture::kNomicBert;
  EXPECT_EQ(CanonicalFromHf("encoder.layers.3.attn.Wqkv.weight", n), "blk.3.attn_qkv.weight");
  EXPECT_EQ(CanonicalFromHf("encoder.layers.0.mlp.fc11.weight", n), "blk.0.ffn_up.weight");
  EXPECT_EQ(CanonicalFromHf("encoder.layers.0.mlp.fc12.weight", n), "blk.0.ffn_gate.weight");
  EXPECT_EQ(CanonicalFromHf("emb_ln.bias", n), "token_embd_norm.bias");
  EXPECT_EQ(HfFromCanonical("blk.1.layer_output_norm.weight", n), "encoder.layers.1.norm2.weight");
  struct Bad {
    const char* key;
    nlohmann::json value;
  };
  for (const Bad& bad :
       {Bad{"activation_function", "gelu"}, Bad{"qkv_proj_bias", true}, Bad{"mlp_fc1_bias", true},
        Bad{"prenorm", true}, Bad{"rotary_emb_fraction", 0.5}, Bad{"rotary_emb_interleaved", true},
        Bad{"rotary_scaling_factor", 2.0}}) {
    nlohmann::json c = NomicBertConfig();
    c[bad.key] = bad.value;
    auto refused = FromConfig(c);
    ASSERT_FALSE(refused.ok()) << bad.key;
    EXPECT_EQ(refused.status().code(), ErrorCode::kUnsupported) << bad.key;
    EXPECT_NE(refused.status().message().find(bad.key), std::string::npos)
        << refused.status().ToString();
  }
  nlohmann::json c = NomicBertConfig();
  c.erase("n_inner");
  auto missing = FromConfig(c);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("\"n_inner\""), std::string::npos);
}

// A granite GGUF lacking one of its multipliers is refused naming the key.
TEST(DescFromGgufTest, GraniteWithoutAMultiplierNamesTheKey) {
  const auto file =
      gguf::GgufFile::Open(std::filesystem::path(HFD_ARCH17_TESTDATA) / "tiny-granite-F32.gguf");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto d = DescFromGguf(**file);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_FLOAT_EQ(d->logit_scale, 0.5f);
  EXPECT_EQ(d->rope_layout, RopeLayout::kInterleaved);
  hfd::testing::TempDir dir;
  ModelDesc g = SmallDesc();
  g.arch = Architecture::kGranite;
  const auto path = dir.path() / "g.gguf";
  SyntheticOptions options;
  options.extra_metadata = [](gguf::GgufWriter& w) { w.AddU32("unrelated", 1); };
  ASSERT_TRUE(WriteSyntheticGguf(g, TensorType::kF16, path, options).ok());
  // Same file without granite.logit_scale: rewrite its keys but that one.
  auto full = gguf::GgufFile::Open(path);
  ASSERT_TRUE(full.ok());
  gguf::GgufWriter w;
  for (const gguf::MetadataEntry& e : (*full)->metadata()) {
    if (e.key == "granite.logit_scale") continue;
    if (e.type == gguf::ValueType::kString) {
      w.AddString(e.key, e.payload);
    } else if (e.type == gguf::ValueType::kF32 || e.type == gguf::ValueType::kU32) {
      w.AddRaw(e.key, e.type, std::string(e.payload));
    }
  }
  for (const gguf::TensorInfo& t : (*full)->tensors()) {
    w.AddTensor(t.name, t.type, t.shape, std::vector<uint8_t>(t.data, t.data + t.nbytes));
  }
  const auto cut = dir.path() / "cut.gguf";
  ASSERT_TRUE(w.Write(cut).ok());
  auto files = OpenModelFiles(cut);
  ASSERT_FALSE(files.ok());
  EXPECT_NE(files.status().message().find("granite.logit_scale"), std::string::npos)
      << files.status().ToString();
}

// vocab_from gives a synthetic model a real tokenizer padded to the shape's vocabulary.
TEST(ModelFilesTest, SyntheticModelTakesAPaddedVocabulary) {
  HFD_REQUIRE_FIXTURES(fixtures);
  hfd::testing::TempDir dir;
  ModelDesc d = SmallDesc();
  d.n_vocab = 4000;
  d.bos_id = 7;
  SyntheticOptions options;
  options.vocab_from = fixtures / "arch/tiny-phi3-F32.gguf";
  const auto path = dir.path() / "v.gguf";
  ASSERT_TRUE(WriteSyntheticGguf(d, TensorType::kF16, path, options).ok());
  auto file = gguf::GgufFile::Open(path);
  ASSERT_TRUE(file.ok());
  auto tokens = (*file)->GetStringArray("tokenizer.ggml.tokens");
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->size(), 4000u);
  auto source = gguf::GgufFile::Open(options.vocab_from);
  ASSERT_TRUE(source.ok());
  EXPECT_EQ((*tokens)[3071], (*(*source)->GetStringArray("tokenizer.ggml.tokens"))[3071]);
  EXPECT_EQ((*tokens)[3072], "<unused0>");
  EXPECT_EQ(*(*file)->GetU32("tokenizer.ggml.bos_token_id"), 1u);  // the vocabulary's
  d.n_vocab = 3000;  // smaller than the vocabulary: refused, naming both sizes
  const Status s = WriteSyntheticGguf(d, TensorType::kF16, path, options);
  EXPECT_NE(s.message().find("3072"), std::string::npos) << s.ToString();
}

TEST(ModelFilesTest, SyntheticGemma2RoundTripsItsDescription) {
  hfd::testing::TempDir dir;
  ModelDesc d = SmallDesc();
  d.arch = Architecture::kGemma2;
  d.rope_layout = RopeLayout::kHalfSplit;
  SetGemma2Traits(d);
  d.tied_embeddings = true;
  d.sliding_window = 8, d.attn_softcap = 50.0f, d.final_softcap = 30.0f;
  const auto path = dir.path() / "g.gguf";
  ASSERT_TRUE(WriteSyntheticGguf(d, TensorType::kF16, path).ok());
  auto files = OpenModelFiles(path);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  const ModelDesc& got = (*files)->desc();
  EXPECT_EQ(got.arch, Architecture::kGemma2);
  EXPECT_EQ(got.rope_layout, RopeLayout::kHalfSplit);
  EXPECT_TRUE(got.post_norms);
  EXPECT_TRUE(got.tied_embeddings);
  EXPECT_EQ(got.sliding_window, 8);
  EXPECT_EQ(got.sliding_window_pattern, 2);
  EXPECT_FLOAT_EQ(got.attn_softcap, 50.0f);
  EXPECT_FLOAT_EQ(got.final_softcap, 30.0f);
  EXPECT_TRUE((*files)->HasWeight("blk.1.post_ffw_norm.weight"));
}

// The tiny gemma3 GGUF (tests/cpu/testdata/gemma3) read as llama.cpp reads it gives the
// description of the config.json it was written from: the window, the global layers' base
// and linear scaling from its keys, the pattern and the local base from the architecture.
TEST(DescFromGgufTest, Gemma3KeysMatchTheConfigTheyCameFrom) {
  const std::filesystem::path dir = HFD_GEMMA3_TESTDATA;
  auto files = OpenModelFiles(dir / "tiny-gemma3-F32.gguf");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  const ModelDesc& g = (*files)->desc();
  std::ifstream in(dir / "tiny-gemma3.config.json");
  const std::string config((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto h = DescFromConfig(config, "");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  for (const ModelDesc* d : {&g, static_cast<const ModelDesc*>(&*h)}) {
    EXPECT_EQ(d->arch, Architecture::kGemma3);
    EXPECT_EQ(d->head_dim, 32);
    EXPECT_EQ(d->sliding_window, 4);
    EXPECT_EQ(d->sliding_window_pattern, 6);
    EXPECT_FLOAT_EQ(d->rope_theta, 1e6f);
    EXPECT_FLOAT_EQ(d->rope_local_theta, 1e4f);
    EXPECT_EQ(d->rope_scaling.type, RopeScalingType::kLinear);
    EXPECT_EQ(d->rope_freq_factors, std::vector<float>(16, 8.0f));
    EXPECT_TRUE(d->qk_norm);
    EXPECT_TRUE(d->tied_embeddings);
    EXPECT_FLOAT_EQ(d->final_softcap, 0.0f);
  }
  // The GGUF has no query_pre_attn_scalar: head_dim, which the config also gives.
  EXPECT_EQ(g.query_pre_attn_scalar, 0);
  EXPECT_EQ(h->query_pre_attn_scalar, 32);
}

// Every Gemma 3 has q/k norms: a gemma3 GGUF without them is refused naming the weight,
// not run without them.
TEST(ModelFilesTest, Gemma3WithoutQkNormsIsRefusedNamingTheWeight) {
  hfd::testing::TempDir dir;
  ModelDesc d = SmallDesc();
  d.arch = Architecture::kGemma3;
  d.rope_layout = RopeLayout::kHalfSplit;
  SetGemma3Traits(d);
  d.sliding_window = 8;
  d.qk_norm = false;
  const auto path = dir.path() / "g.gguf";
  ASSERT_TRUE(WriteSyntheticGguf(d, TensorType::kF16, path).ok());
  auto files = OpenModelFiles(path);
  ASSERT_FALSE(files.ok());
  EXPECT_NE(files.status().message().find("blk.0.attn_q_norm.weight"), std::string::npos)
      << files.status().ToString();
}

TEST(ModelFilesTest, PresetsAreValid) {
  for (const char* name : {"tinyllama-1.1b", "llama-3.2-1b", "qwen2.5-0.5b", "llama-3-8b",
                           "gemma-2-2b", "bert-base"}) {
    auto d = PresetDesc(name);
    ASSERT_TRUE(d.ok()) << name;
    EXPECT_TRUE(ValidateDesc(*d).ok()) << name;
  }
  EXPECT_EQ(PresetDesc("gpt-5").status().code(), ErrorCode::kNotFound);
}

TEST(ModelFilesTest, MissingAndMisshapenWeightsAreNamed) {
  hfd::testing::TempDir dir;
  const auto path = dir.path() / "m.gguf";
  ASSERT_TRUE(gguf::testing::LlamaWriter(32).Write(path).ok());
  auto missing = OpenModelFiles(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.status().message().find("blk.0.ffn_down.weight"), std::string::npos);

  gguf::GgufWriter w = gguf::testing::LlamaWriter(16);
  w.AddTensor("blk.0.ffn_down.weight", TensorType::kF32, {32, 32},
              std::vector<uint8_t>(size_t{32} * 32 * 4));
  ASSERT_TRUE(w.Write(path).ok());
  auto bad = OpenModelFiles(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(bad.status().message().find("blk.0.attn_k.weight"), std::string::npos)
      << bad.status().ToString();
  EXPECT_EQ(OpenModelFiles(dir.path() / "none.gguf").status().code(), ErrorCode::kNotFound);
}

TEST(DescFromGgufTest, RefusesUnsupportedArchitecturesAndScaling) {
  auto expect = [](gguf::GgufWriter& w, ErrorCode code, std::string_view words) {
    auto p = gguf::testing::ParseCopy(gguf::testing::SerializeOrDie(w));
    ASSERT_TRUE(p.file.ok());
    auto d = DescFromGguf(**p.file);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), code) << d.status().ToString();
    EXPECT_NE(d.status().message().find(words), std::string::npos) << d.status().ToString();
  };
  gguf::GgufWriter phi;
  phi.AddString("general.architecture", "phimoe");
  expect(phi, ErrorCode::kUnsupported, "'phimoe'");
  gguf::GgufWriter yarn = gguf::testing::LlamaWriter(32);
  yarn.AddString("llama.rope.scaling.type", "ntk-by-parts");
  expect(yarn, ErrorCode::kUnsupported, "'ntk-by-parts'");
  gguf::GgufWriter partial = gguf::testing::LlamaWriter(32);
  partial.AddU32("llama.rope.dimension_count", 7);  // partial rotary needs whole pairs
  expect(partial, ErrorCode::kCorrupt, "rotates 7 dimensions");
  gguf::GgufWriter bare;
  bare.AddString("general.architecture", "qwen2");
  expect(bare, ErrorCode::kCorrupt, "qwen2.embedding_length");
}

// Phi-3's fused attn_qkv and gate/up ffn_up read as the canonical per-projection weights:
// row ranges of the mapped tensor (q, k, v; gate, up), not copies.
TEST(ModelFilesTest, Phi3FusedWeightsAreViewsOfTheStoredTensors) {
  ModelDesc d;
  d.arch = Architecture::kPhi3;
  d.n_vocab = 64, d.n_embd = 64, d.n_layer = 1, d.n_head = 4, d.n_head_kv = 2, d.head_dim = 16;
  d.n_ff = 96, d.n_ctx_train = 128;
  hfd::testing::TempDir dir;
  ASSERT_TRUE(WriteSyntheticGguf(d, TensorType::kQ8_0, dir.path() / "phi3.gguf").ok());
  auto files = OpenModelFiles(dir.path() / "phi3.gguf");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  const ModelFiles& m = **files;
  const std::vector<std::string> names = m.WeightNames();
  for (const char* name : {"blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.attn_v.weight",
                           "blk.0.ffn_gate.weight", "blk.0.ffn_up.weight"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
  EXPECT_EQ(std::find(names.begin(), names.end(), "blk.0.attn_qkv.weight"), names.end());
  const gguf::TensorInfo* qkv = m.gguf()->FindTensor("blk.0.attn_qkv.weight");
  const gguf::TensorInfo* gate_up = m.gguf()->FindTensor("blk.0.ffn_up.weight");
  ASSERT_TRUE(qkv != nullptr && gate_up != nullptr);
  const int64_t row = RowBytes(TensorType::kQ8_0, 64);
  const struct {
    const char* name;
    const uint8_t* data;
    int64_t rows;
  } parts[] = {{"blk.0.attn_q.weight", qkv->data, 64},
               {"blk.0.attn_k.weight", qkv->data + 64 * row, 32},
               {"blk.0.attn_v.weight", qkv->data + 96 * row, 32},
               {"blk.0.ffn_gate.weight", gate_up->data, 96},
               {"blk.0.ffn_up.weight", gate_up->data + 96 * row, 96}};
  for (const auto& part : parts) {
    auto w = m.Weight(part.name);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    EXPECT_EQ(w->data, part.data) << part.name;
    EXPECT_EQ(w->shape, (std::vector<int64_t>{64, part.rows})) << part.name;
    EXPECT_EQ(w->nbytes, static_cast<uint64_t>(part.rows * row)) << part.name;
  }
}

TEST(ModelFilesTest, HfDirectoryWithShardsAndNoLmHead) {
  // A one-layer qwen3-like checkpoint split over two shards, written by hand.
  hfd::testing::TempDir dir;
  nlohmann::json config = BaseConfig();
  config["model_type"] = "qwen3";
  config["num_hidden_layers"] = 1;
  config["hidden_size"] = 32;
  config["intermediate_size"] = 32;
  config["num_attention_heads"] = 2;
  config["head_dim"] = 16;
  config["vocab_size"] = 8;
  std::ofstream(dir.path() / "config.json") << config.dump();
  const std::vector<std::pair<std::string, std::vector<int64_t>>> tensors = {
      {"model.embed_tokens.weight", {8, 32}},
      {"model.norm.weight", {32}},
      {"model.layers.0.input_layernorm.weight", {32}},
      {"model.layers.0.self_attn.q_proj.weight", {32, 32}},
      {"model.layers.0.self_attn.k_proj.weight", {32, 32}},
      {"model.layers.0.self_attn.v_proj.weight", {32, 32}},
      {"model.layers.0.self_attn.o_proj.weight", {32, 32}},
      {"model.layers.0.self_attn.q_norm.weight", {16}},
      {"model.layers.0.self_attn.k_norm.weight", {16}},
      {"model.layers.0.post_attention_layernorm.weight", {32}},
      {"model.layers.0.mlp.gate_proj.weight", {32, 32}},
      {"model.layers.0.mlp.up_proj.weight", {32, 32}},
      {"model.layers.0.mlp.down_proj.weight", {32, 32}},
  };
  nlohmann::json headers[2] = {nlohmann::json::object(), nlohmann::json::object()};
  std::string data[2];
  nlohmann::json index = {{"weight_map", nlohmann::json::object()}};
  for (size_t i = 0; i < tensors.size(); ++i) {
    const int shard = static_cast<int>(i % 2);
    int64_t n = 1;
    for (int64_t d : tensors[i].second) n *= d;
    const uint64_t begin = data[shard].size();
    data[shard].append(static_cast<size_t>(n * 2), '\0');
    headers[shard][tensors[i].first] = {{"dtype", "BF16"},
                                        {"shape", tensors[i].second},
                                        {"data_offsets", {begin, data[shard].size()}}};
    index["weight_map"][tensors[i].first] = "s" + std::to_string(shard) + ".safetensors";
  }
  for (int s = 0; s < 2; ++s) {
    const std::string text = headers[s].dump();
    const uint64_t len = text.size();
    std::ofstream out(dir.path() / ("s" + std::to_string(s) + ".safetensors"), std::ios::binary);
    out.write(reinterpret_cast<const char*>(&len), 8);
    out << text << data[s];
  }
  std::ofstream(dir.path() / "model.safetensors.index.json") << index.dump();
  auto files = OpenModelFiles(dir.path());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_TRUE((*files)->desc().tied_embeddings);
  EXPECT_TRUE((*files)->desc().qk_norm);
  EXPECT_EQ((*files)->desc().head_dim, 16);
  auto q = (*files)->Weight("blk.0.attn_q.weight");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->type, TensorType::kBF16);
  EXPECT_EQ((*files)->WeightNames().size(), tensors.size());
}

}  // namespace
}  // namespace hfd::model
