// Mixture-of-experts model descriptions and weights: GGUF keys and config.json keys of
// Mixtral, Qwen2-MoE and Qwen3-MoE, per-expert safetensors tensors read as GGUF's stacked
// ones, and the load-time refusals of inconsistent expert counts and shapes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

#include "engine/gguf/gguf_writer.h"
#include "engine/model/desc_from_config.h"
#include "engine/model/model_files.h"
#include "engine/model/rope_scaling.h"
#include "engine/model/synthetic_gguf.h"
#include "engine/model/tensor_names.h"
#include "tests/formats/gguf_test_util.h"
#include "tests/support/fixtures.h"
#include "tests/support/safetensors_writer.h"

namespace hfd::model {
namespace {

// The sizes of a one-layer Mixtral-style GGUF written by WriteMoeGguf; fields break it.
struct MoeShape {
  uint32_t experts = 4;     // llama.expert_count
  uint32_t used = 2;        // llama.expert_used_count
  int64_t router_rows = 4;  // ffn_gate_inp's
  int64_t up_experts = 4;   // ffn_up_exps' third dimension
  int64_t down_rows = 32;   // ffn_down_exps' rows (n_embd)
};

// The test llama (gguf_test_util.h: n_embd 32, feed-forward 32) with experts of 32 and zero
// weights; its dense ffn_gate / ffn_up are left unread.
Status WriteMoeGguf(const MoeShape& s, const std::filesystem::path& path) {
  gguf::GgufWriter w = gguf::testing::LlamaWriter(32);
  w.AddU32("llama.expert_count", s.experts);
  w.AddU32("llama.expert_used_count", s.used);
  auto f32 = [&](const char* name, const std::vector<int64_t>& shape) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    w.AddTensor(name, TensorType::kF32, shape, std::vector<uint8_t>(static_cast<size_t>(n * 4)));
  };
  f32("blk.0.ffn_gate_inp.weight", {32, s.router_rows});
  f32("blk.0.ffn_gate_exps.weight", {32, 32, 4});
  f32("blk.0.ffn_up_exps.weight", {32, 32, s.up_experts});
  f32("blk.0.ffn_down_exps.weight", {32, s.down_rows, 4});
  return w.Write(path);
}

// Opening the file of `s` fails with `code`, naming `words`.
void ExpectRefused(const MoeShape& s, ErrorCode code, std::string_view words) {
  hfd::testing::TempDir dir;
  ASSERT_TRUE(WriteMoeGguf(s, dir.path() / "m.gguf").ok());
  auto m = OpenModelFiles(dir.path() / "m.gguf");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), code) << m.status().ToString();
  EXPECT_NE(m.status().message().find(words), std::string::npos) << m.status().ToString();
}

TEST(MoeModelTest, MixtralGgufKeysGiveTheExperts) {
  hfd::testing::TempDir dir;
  ASSERT_TRUE(WriteMoeGguf({}, dir.path() / "m.gguf").ok());
  auto m = OpenModelFiles(dir.path() / "m.gguf");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const ModelDesc& d = (*m)->desc();
  EXPECT_EQ(d.arch, Architecture::kLlama);
  EXPECT_EQ(d.n_expert, 4);
  EXPECT_EQ(d.n_expert_used, 2);
  EXPECT_EQ(d.n_ff_expert, 32);  // Mixtral's experts are feed_forward_length wide
  EXPECT_EQ(d.n_ff_shared_expert, 0);
  EXPECT_TRUE(d.expert_weights_norm);
}

TEST(MoeModelTest, BadExpertCountsAndShapesAreRefusedAtLoad) {
  ExpectRefused({.used = 5}, ErrorCode::kCorrupt, "to 5 experts (expert_used_count) of its 4");
  ExpectRefused({.used = 0}, ErrorCode::kCorrupt, "expert_used_count");
  ExpectRefused({.router_rows = 5}, ErrorCode::kCorrupt, "blk.0.ffn_gate_inp.weight");
  ExpectRefused({.up_experts = 3}, ErrorCode::kCorrupt,
                "blk.0.ffn_up_exps.weight' has shape [32, 32, 3]");
  ExpectRefused({.down_rows = 16}, ErrorCode::kCorrupt, "blk.0.ffn_down_exps.weight");  // 32 rows
  // The description alone: no experts but some used.
  ModelDesc d;
  d.n_vocab = d.n_embd = d.n_layer = d.n_head = d.n_head_kv = d.head_dim = d.n_ff = 8;
  d.n_expert_used = 2;
  EXPECT_EQ(ValidateDesc(d).code(), ErrorCode::kCorrupt);
}

nlohmann::json Qwen2MoeConfig() {
  return {{"model_type", "qwen2_moe"},
          {"vocab_size", 64},
          {"hidden_size", 32},
          {"intermediate_size", 64},
          {"num_hidden_layers", 1},
          {"num_attention_heads", 2},
          {"num_key_value_heads", 1},
          {"num_experts", 4},
          {"num_experts_per_tok", 2},
          {"moe_intermediate_size", 16},
          {"shared_expert_intermediate_size", 48}};
}

TEST(MoeModelTest, ConfigKeysOfEachFamily) {
  auto q2 = DescFromConfig(Qwen2MoeConfig().dump(), "");
  ASSERT_TRUE(q2.ok()) << q2.status().ToString();
  EXPECT_EQ(q2->arch, Architecture::kQwen2Moe);
  EXPECT_EQ(q2->n_expert, 4);
  EXPECT_EQ(q2->n_ff_expert, 16);
  EXPECT_EQ(q2->n_ff_shared_expert, 48);
  EXPECT_FALSE(q2->expert_weights_norm);  // Qwen2MoeConfig's norm_topk_prob default
  EXPECT_TRUE(q2->qkv_bias);

  nlohmann::json c = Qwen2MoeConfig();
  c.update({{"model_type", "qwen3_moe"}, {"norm_topk_prob", true}, {"head_dim", 32}});
  c.erase("shared_expert_intermediate_size");
  auto q3 = DescFromConfig(c.dump(), "");
  ASSERT_TRUE(q3.ok()) << q3.status().ToString();
  EXPECT_EQ(q3->arch, Architecture::kQwen3Moe);
  EXPECT_TRUE(q3->expert_weights_norm);
  EXPECT_TRUE(q3->qk_norm);
  EXPECT_EQ(q3->n_ff_shared_expert, 0);

  c = Qwen2MoeConfig();
  c.update({{"model_type", "mixtral"}, {"num_local_experts", 8}});
  auto mixtral = DescFromConfig(c.dump(), "");
  ASSERT_TRUE(mixtral.ok()) << mixtral.status().ToString();
  EXPECT_EQ(mixtral->arch, Architecture::kLlama);
  EXPECT_EQ(mixtral->n_expert, 8);
  EXPECT_EQ(mixtral->n_ff_expert, 64);  // intermediate_size
  EXPECT_TRUE(mixtral->expert_weights_norm);

  c = Qwen2MoeConfig();
  c["decoder_sparse_step"] = 2;
  EXPECT_EQ(DescFromConfig(c.dump(), "").status().code(), ErrorCode::kUnsupported);
  c = Qwen2MoeConfig();
  c["num_experts_per_tok"] = 9;
  const Status too_many = DescFromConfig(c.dump(), "").status();
  EXPECT_EQ(too_many.code(), ErrorCode::kCorrupt);
  EXPECT_NE(too_many.message().find("expert_used_count"), std::string::npos) << too_many.ToString();
  c.erase("num_experts_per_tok");
  EXPECT_EQ(DescFromConfig(c.dump(), "").status().code(), ErrorCode::kCorrupt);
}

TEST(MoeModelTest, ExpertNamesMapBothWays) {
  const auto q = ExpertSliceFromHf("model.layers.3.mlp.experts.17.down_proj.weight");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->stacked, "blk.3.ffn_down_exps.weight");
  EXPECT_EQ(q->expert, 17);
  const auto m = ExpertSliceFromHf("model.layers.0.block_sparse_moe.experts.2.w3.weight");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->stacked, "blk.0.ffn_up_exps.weight");
  EXPECT_FALSE(ExpertSliceFromHf("model.layers.0.mlp.experts.x.w3.weight").has_value());
  EXPECT_FALSE(ExpertSliceFromHf("model.layers.0.mlp.gate_proj.weight").has_value());
  EXPECT_EQ(HfExpertName("blk.3.ffn_down_exps.weight", 17, Architecture::kQwen3Moe),
            "model.layers.3.mlp.experts.17.down_proj.weight");
  EXPECT_EQ(HfExpertName("blk.0.ffn_gate_exps.weight", 1, Architecture::kLlama),
            "model.layers.0.block_sparse_moe.experts.1.w1.weight");
  EXPECT_EQ(CanonicalFromHf("model.layers.1.block_sparse_moe.gate.weight"),
            "blk.1.ffn_gate_inp.weight");
  EXPECT_EQ(
      CanonicalFromHf("model.layers.1.mlp.shared_expert_gate.weight", Architecture::kQwen2Moe),
      "blk.1.ffn_gate_inp_shexp.weight");
  EXPECT_EQ(HfFromCanonical("blk.1.ffn_gate_inp.weight", Architecture::kLlama),
            "model.layers.1.block_sparse_moe.gate.weight");
}

// A Qwen2-MoE checkpoint of one layer whose expert `missing` is absent (-1: none is).
void WriteQwen2MoeCheckpoint(const std::filesystem::path& dir, int missing) {
  std::ofstream(dir / "config.json") << Qwen2MoeConfig().dump();
  std::map<std::string, hfd::testing::F32Tensor> t;
  auto add = [&](const std::string& name, std::vector<int64_t> shape) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    t[name] = {std::move(shape), std::vector<float>(static_cast<size_t>(n), 0.5f)};
  };
  add("model.embed_tokens.weight", {64, 32});
  add("model.norm.weight", {32});
  const std::string p = "model.layers.0.";
  add(p + "input_layernorm.weight", {32});
  add(p + "post_attention_layernorm.weight", {32});
  for (const char* m : {"q_proj", "o_proj"}) add(p + "self_attn." + m + ".weight", {32, 32});
  for (const char* m : {"k_proj", "v_proj"}) add(p + "self_attn." + m + ".weight", {16, 32});
  add(p + "self_attn.q_proj.bias", {32});
  add(p + "self_attn.k_proj.bias", {16});
  add(p + "self_attn.v_proj.bias", {16});
  add(p + "mlp.gate.weight", {4, 32});
  for (int e = 0; e < 4; ++e) {
    if (e == missing) continue;
    const std::string x = p + "mlp.experts." + std::to_string(e) + ".";
    add(x + "gate_proj.weight", {16, 32});
    add(x + "up_proj.weight", {16, 32});
    add(x + "down_proj.weight", {32, 16});
  }
  add(p + "mlp.shared_expert.gate_proj.weight", {48, 32});
  add(p + "mlp.shared_expert.up_proj.weight", {48, 32});
  add(p + "mlp.shared_expert.down_proj.weight", {32, 48});
  add(p + "mlp.shared_expert_gate.weight", {1, 32});
  hfd::testing::WriteF32Safetensors(dir / "model.safetensors", t);
}

TEST(MoeModelTest, SafetensorsExpertsReadAsOneStackedTensorInPlace) {
  hfd::testing::TempDir dir;
  WriteQwen2MoeCheckpoint(dir.path(), -1);
  auto m = OpenModelFiles(dir.path());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto down = (*m)->Weight("blk.0.ffn_down_exps.weight");
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(down->shape, (std::vector<int64_t>{16, 32, 4}));
  ASSERT_EQ(down->parts.size(), 4u);
  EXPECT_EQ(down->data, down->parts[0]);
  EXPECT_EQ(down->nbytes, uint64_t{16} * 32 * 4 * 4);
  const auto names = (*m)->WeightNames();
  EXPECT_TRUE(std::binary_search(names.begin(), names.end(), "blk.0.ffn_up_exps.weight"));

  hfd::testing::TempDir gap;
  WriteQwen2MoeCheckpoint(gap.path(), 2);
  auto bad = OpenModelFiles(gap.path());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kCorrupt);
  EXPECT_NE(bad.status().message().find("lacks expert 2 (model.layers.0.mlp.experts.2."),
            std::string::npos)
      << bad.status().ToString();
}

TEST(MoeModelTest, SyntheticQwen3MoeRoundTripsItsDescription) {
  ModelDesc d;
  d.arch = Architecture::kQwen3Moe;
  d.n_vocab = 64, d.n_embd = 32, d.n_layer = 1, d.n_head = 2, d.n_head_kv = 1;
  d.head_dim = 16, d.n_ff = 64, d.n_ctx_train = 128, d.qk_norm = true;
  d.n_expert = 6, d.n_expert_used = 2, d.n_ff_expert = 32, d.expert_weights_norm = true;
  hfd::testing::TempDir dir;
  ASSERT_TRUE(WriteSyntheticGguf(d, TensorType::kQ8_0, dir.path() / "m.gguf").ok());
  auto m = OpenModelFiles(dir.path() / "m.gguf");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const ModelDesc& r = (*m)->desc();
  EXPECT_EQ(r.arch, Architecture::kQwen3Moe);
  EXPECT_EQ(r.n_expert, 6);
  EXPECT_EQ(r.n_expert_used, 2);
  EXPECT_EQ(r.n_ff_expert, 32);
  EXPECT_TRUE(r.expert_weights_norm);
  EXPECT_TRUE(r.qk_norm);
}

TEST(MoeModelTest, MoePresetsAreValid) {
  for (const char* name : {"qwen1.5-moe-a2.7b", "qwen3-30b-a3b", "gpt-oss-20b"}) {
    auto d = PresetDesc(name);
    ASSERT_TRUE(d.ok()) << name;
    EXPECT_TRUE(IsMoe(*d)) << name;
    EXPECT_TRUE(ValidateDesc(*d).ok()) << name;
  }
}

// GptOssConfig's keys (gpt-oss-20b's values but for the sizes) and its traits; a
// layer_types list other than the alternation is refused.
TEST(MoeModelTest, GptOssConfigKeys) {
  nlohmann::json c = {{"model_type", "gpt_oss"},
                      {"vocab_size", 64},
                      {"hidden_size", 64},
                      {"intermediate_size", 32},
                      {"num_hidden_layers", 2},
                      {"num_attention_heads", 4},
                      {"num_key_value_heads", 2},
                      {"head_dim", 32},
                      {"num_local_experts", 8},
                      {"num_experts_per_tok", 4},
                      {"sliding_window", 128},
                      {"max_position_embeddings", 131072},
                      {"layer_types", {"sliding_attention", "full_attention"}},
                      {"rope_theta", 150000},
                      {"rope_scaling",
                       {{"rope_type", "yarn"},
                        {"factor", 32.0},
                        {"beta_fast", 32.0},
                        {"beta_slow", 1.0},
                        {"original_max_position_embeddings", 4096},
                        {"truncate", false}}},
                      {"swiglu_limit", 7.0}};
  auto d = DescFromConfig(c.dump(), "");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->arch, Architecture::kGptOss);
  EXPECT_EQ(d->n_expert, 8);
  EXPECT_EQ(d->n_ff_expert, 32);
  EXPECT_TRUE(d->expert_weights_norm);
  EXPECT_TRUE(d->attn_sinks && d->attn_output_bias && d->expert_bias && d->qkv_bias);
  EXPECT_FLOAT_EQ(d->swiglu_limit, 7.0f);
  EXPECT_FLOAT_EQ(d->swiglu_alpha, 1.702f);
  EXPECT_EQ(d->sliding_window, 128);
  EXPECT_TRUE(UsesSlidingWindow(*d, 0));
  EXPECT_FALSE(UsesSlidingWindow(*d, 1));
  EXPECT_EQ(d->rope_scaling.type, RopeScalingType::kYarn);
  EXPECT_FALSE(d->rope_scaling.yarn_truncate);
  EXPECT_STREQ(FfnNormName(*d), "post_attention_norm.weight");
  c["layer_types"] = {"full_attention", "sliding_attention"};
  EXPECT_EQ(DescFromConfig(c.dump(), "").status().code(), ErrorCode::kUnsupported);
  c["layer_types"] = {"sliding_attention", "full_attention"};
  c["swiglu_limit"] = 0;
  EXPECT_EQ(DescFromConfig(c.dump(), "").status().code(), ErrorCode::kCorrupt);
}

// A gpt-oss GGUF: the writer's tensors (MXFP4 experts, biases, sinks) pass the load's shape
// checks and read back with the traits llama.cpp hard-codes.
TEST(MoeModelTest, SyntheticGptOssRoundTripsItsDescription) {
  auto d = PresetDesc("gpt-oss-20b");
  ASSERT_TRUE(d.ok());
  d->n_vocab = 64, d->n_embd = 64, d->n_layer = 2, d->n_head = 4, d->n_head_kv = 2;
  d->head_dim = 16, d->n_ff = 32, d->n_ff_expert = 32, d->n_expert = 4, d->n_expert_used = 2;
  SetScaledRopeFreqFactors(*d);
  hfd::testing::TempDir dir;
  ASSERT_TRUE(WriteSyntheticGguf(*d, TensorType::kF32, dir.path() / "m.gguf").ok());
  auto m = OpenModelFiles(dir.path() / "m.gguf");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const ModelDesc& r = (*m)->desc();
  EXPECT_EQ(r.arch, Architecture::kGptOss);
  EXPECT_TRUE(r.attn_sinks && r.expert_bias && r.attn_output_bias);
  EXPECT_EQ(r.sliding_window, 128);
  EXPECT_EQ(r.rope_scaling.type, RopeScalingType::kYarn);
  EXPECT_FALSE(r.rope_scaling.yarn_truncate);
  auto experts = (*m)->Weight("blk.1.ffn_down_exps.weight");
  ASSERT_TRUE(experts.ok());
  EXPECT_EQ(experts->type, TensorType::kMXFP4);
  EXPECT_TRUE((*m)->HasWeight("blk.0.attn_sinks.weight"));
  EXPECT_TRUE((*m)->HasWeight("blk.0.ffn_up_exps.bias"));
}

}  // namespace
}  // namespace hfd::model
