// linear, yarn and dynamic (NTK) RoPE scaling read from config.json and GGUF metadata:
// the frequencies and magnitude against transformers' formulas (recorded by
// scripts/rope_scaling_reference.py), and the errors naming the key at fault.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

#include "engine/gguf/gguf_writer.h"
#include "engine/model/desc_from_config.h"
#include "engine/model/desc_from_gguf.h"
#include "engine/runtime/rope_freqs.h"
#include "tests/formats/gguf_test_util.h"

namespace hfd::model {
namespace {

#include "tests/backends/rope_scaling_reference.inc"

// The frequencies the graph builder gives the rope op, rescaled per call as the backends
// do under dynamic NTK.
std::vector<float> CallFreqs(const ModelDesc& d, const RopeRefCall& call) {
  std::vector<float> freqs = runtime::RopeInvFreqs(static_cast<int>(d.head_dim), d.rope_theta);
  for (size_t i = 0; i < d.rope_freq_factors.size(); ++i) freqs[i] /= d.rope_freq_factors[i];
  if (d.rope_scaling.type != RopeScalingType::kDynamic) return freqs;
  const double scale =
      runtime::DynamicNtkBaseScale(d.rope_scaling.factor, d.rope_scaling.original_max_position,
                                   call.pos + call.n_tokens, static_cast<int>(d.head_dim));
  std::vector<float> scaled(freqs.size());
  runtime::ScaleRopeBase(freqs.data(), static_cast<int>(d.head_dim), scale, scaled.data());
  return scaled;
}

TEST(RopeScalingTest, FrequenciesAndMagnitudeMatchTransformersPastTheOriginalContext) {
  for (const RopeRefCase& ref : kRopeRefCases) {
    auto d = DescFromConfig(ref.config, "");
    ASSERT_TRUE(d.ok()) << ref.name << ": " << d.status().ToString();
    for (const RopeRefCall& call : ref.calls) {
      const std::vector<float> freqs = CallFreqs(*d, call);
      ASSERT_EQ(freqs.size(), static_cast<size_t>(kRopeRefHeadDim / 2));
      for (int i = 0; i < kRopeRefHeadDim / 2; ++i) {
        // float32 pow differs by an ulp or two between libraries.
        EXPECT_NEAR(freqs[i] / call.inv_freq[i], 1.0, 2.5e-7)
            << ref.name << " at position " << call.pos << ", pair " << i;
      }
      EXPECT_NEAR(d->rope_scaling.attn_factor, call.attn_factor, 1e-6) << ref.name;
    }
  }
}

nlohmann::json Config(const nlohmann::json& rope) {
  return {{"model_type", "llama"},           {"vocab_size", 8},          {"hidden_size", 64},
          {"num_hidden_layers", 1},          {"num_attention_heads", 2}, {"intermediate_size", 32},
          {"max_position_embeddings", 4096}, {"rope_scaling", rope}};
}

void ExpectConfigError(const nlohmann::json& rope, ErrorCode code, const std::string& words) {
  auto d = DescFromConfig(Config(rope).dump(), "");
  ASSERT_FALSE(d.ok()) << rope.dump();
  EXPECT_EQ(d.status().code(), code) << d.status().ToString();
  EXPECT_NE(d.status().message().find(words), std::string::npos) << d.status().ToString();
}

TEST(RopeScalingTest, ConfigErrorsNameTheKey) {
  for (const char* type : {"linear", "yarn", "dynamic"}) {
    ExpectConfigError({{"type", type}}, ErrorCode::kCorrupt, "\"factor\"");
    ExpectConfigError({{"rope_type", type}, {"factor", 0.5}}, ErrorCode::kCorrupt, "\"factor\"");
  }
  ExpectConfigError({{"rope_type", "yarn"}, {"factor", 4.0}, {"beta_fast", 1}, {"beta_slow", 2}},
                    ErrorCode::kCorrupt, "\"beta_fast\"");
  ExpectConfigError({{"rope_type", "ntk-by-parts"}, {"factor", 4.0}}, ErrorCode::kUnsupported,
                    "'ntk-by-parts'");
  // Without original_max_position_embeddings YaRN extends max_position_embeddings.
  auto d = DescFromConfig(Config({{"type", "yarn"}, {"factor", 2.0}}).dump(), "");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->rope_scaling.original_max_position, 4096);
  EXPECT_FLOAT_EQ(d->rope_scaling.attn_factor, static_cast<float>(0.1 * std::log(2.0) + 1));
  // An explicit attention_factor wins over the default magnitude.
  d = DescFromConfig(Config({{"type", "yarn"}, {"factor", 2.0}, {"attention_factor", 0.5}}).dump(),
                     "");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_FLOAT_EQ(d->rope_scaling.attn_factor, 0.5f);
}

// The llama fields DescFromGguf needs, sized as the reference cases' config.
gguf::GgufWriter LlamaMetadata() {
  gguf::GgufWriter w;
  w.AddString("general.architecture", "llama");
  w.AddU32("llama.embedding_length", kRopeRefHeads * kRopeRefHeadDim);
  w.AddU32("llama.block_count", 1);
  w.AddU32("llama.feed_forward_length", 32);
  w.AddU32("llama.attention.head_count", kRopeRefHeads);
  w.AddU32("llama.vocab_size", 8);
  w.AddU32("llama.context_length", 16384);
  return w;
}

Result<ModelDesc> FromGguf(const gguf::GgufWriter& w) {
  auto p = gguf::testing::ParseCopy(gguf::testing::SerializeOrDie(w));
  if (!p.file.ok()) return p.file.status();
  return DescFromGguf(**p.file);
}

// What llama.cpp's converter writes for the reference cases gives the same description.
TEST(RopeScalingTest, GgufKeysGiveWhatTheConfigGives) {
  gguf::GgufWriter yarn = LlamaMetadata();
  yarn.AddString("llama.rope.scaling.type", "yarn");
  yarn.AddF32("llama.rope.scaling.factor", 4.0f);
  yarn.AddU32("llama.rope.scaling.original_context_length", 4096);
  auto gg = FromGguf(yarn);
  ASSERT_TRUE(gg.ok()) << gg.status().ToString();
  auto hf = DescFromConfig(kRopeRefCases[1].config, "");
  ASSERT_TRUE(hf.ok());
  EXPECT_EQ(gg->rope_scaling.type, RopeScalingType::kYarn);
  EXPECT_EQ(gg->rope_freq_factors, hf->rope_freq_factors);
  EXPECT_FLOAT_EQ(gg->rope_scaling.attn_factor, hf->rope_scaling.attn_factor);

  gguf::GgufWriter linear = LlamaMetadata();
  linear.AddString("llama.rope.scaling.type", "linear");
  linear.AddF32("llama.rope.scale_linear", 4.0f);  // the older key
  gg = FromGguf(linear);
  ASSERT_TRUE(gg.ok()) << gg.status().ToString();
  hf = DescFromConfig(kRopeRefCases[0].config, "");
  ASSERT_TRUE(hf.ok());
  EXPECT_EQ(gg->rope_freq_factors, hf->rope_freq_factors);
  EXPECT_FLOAT_EQ(gg->rope_scaling.attn_factor, 1.0f);
}

TEST(RopeScalingTest, GgufErrorsNameTheKey) {
  auto expect = [](gguf::GgufWriter& w, ErrorCode code, const std::string& words) {
    auto d = FromGguf(w);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), code) << d.status().ToString();
    EXPECT_NE(d.status().message().find(words), std::string::npos) << d.status().ToString();
  };
  gguf::GgufWriter no_factor = LlamaMetadata();
  no_factor.AddString("llama.rope.scaling.type", "yarn");
  expect(no_factor, ErrorCode::kCorrupt, "llama.rope.scaling.factor");
  gguf::GgufWriter ext = LlamaMetadata();
  ext.AddString("llama.rope.scaling.type", "yarn");
  ext.AddF32("llama.rope.scaling.factor", 4.0f);
  ext.AddF32("llama.rope.scaling.yarn_ext_factor", 0.5f);
  expect(ext, ErrorCode::kUnsupported, "llama.rope.scaling.yarn_ext_factor");
  gguf::GgufWriter unknown = LlamaMetadata();
  unknown.AddString("llama.rope.scaling.type", "dynamic");
  expect(unknown, ErrorCode::kUnsupported, "llama.rope.scaling.type");
}

}  // namespace
}  // namespace hfd::model
