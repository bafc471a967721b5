// Phi-3's longrope and partial rotary against an independent numpy reference
// (testdata/longrope/make_reference.py): from a config.json and from the GGUF a synthetic
// file carries, through the graph's frequencies and the CPU rope op, at positions past the
// original context, for a context size within it (short factors) and beyond (long).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "backends/cpu/ops/rope.h"
#include "engine/model/desc_from_config.h"
#include "engine/model/model_files.h"
#include "engine/model/synthetic_gguf.h"
#include "engine/runtime/graph_builder.h"
#include "tests/support/fixtures.h"

namespace hfd {
namespace {

using nlohmann::json;

json Reference() {
  return json::parse(testing::ReadFileOrFail(HFD_LONGROPE_TESTDATA "/reference.json"));
}

// The reference's config.json as a whole Phi3Config (sizes the rotation does not use).
model::ModelDesc DescFromReference(const json& ref) {
  json config = ref["config"];
  config["model_type"] = "phi3";
  config["vocab_size"] = 256;
  config["intermediate_size"] = 64;
  config["num_hidden_layers"] = 1;
  auto desc = model::DescFromConfig(config.dump(), "");
  EXPECT_TRUE(desc.ok()) << desc.status().ToString();
  return desc.ok() ? *desc : model::ModelDesc{};
}

TEST(LongRopeTest, ConfigGivesTheReferenceParameters) {
  const json ref = Reference();
  const model::ModelDesc d = DescFromReference(ref);
  EXPECT_EQ(d.rope_scaling.type, model::RopeScalingType::kLongRope);
  EXPECT_EQ(model::RopeDims(d), 24);  // 0.75 of head_dim 32
  EXPECT_EQ(d.rope_scaling.original_max_position, 32);
  // No attention_factor in the config: Hugging Face's default from the two lengths.
  EXPECT_NEAR(d.rope_scaling.attn_factor, ref["attention_factor"].get<double>(), 1e-6);
}

// The rotated query row at each reference position, through the graph hfd builds for a
// context of n_ctx and the CPU rope op.
void ExpectRotationMatches(const model::ModelFiles& files, const json& ref) {
  const auto q = ref["q"].get<std::vector<float>>();
  for (const json& c : ref["cases"]) {
    const int64_t n_ctx = c["n_ctx"].get<int64_t>();
    SCOPED_TRACE("n_ctx " + std::to_string(n_ctx));
    auto graph = runtime::BuildGraph(files, {1, runtime::GraphOutput::kLastLogits, n_ctx});
    ASSERT_TRUE(graph.ok()) << graph.status().ToString();
    const auto rope = std::find_if(graph->ops.begin(), graph->ops.end(), [](const runtime::Op& op) {
      return op.kind == runtime::OpKind::kRope;
    });
    ASSERT_NE(rope, graph->ops.end());
    ASSERT_EQ(rope->rope.n_head * rope->rope.head_dim, static_cast<int32_t>(q.size()));
    const auto positions = c["positions"].get<std::vector<int32_t>>();
    for (size_t p = 0; p < positions.size(); ++p) {
      std::vector<float> y(q.size());
      cpu::Rope(q.data(), y.data(), 1, positions[p], rope->rope,
                graph->constants[rope->rope.freqs].data());
      const auto want = c["rotated"][p].get<std::vector<double>>();
      for (size_t i = 0; i < y.size(); ++i) {
        EXPECT_NEAR(y[i], want[i], 2e-4) << "position " << positions[p] << " element " << i;
      }
    }
  }
}

TEST(LongRopeTest, GgufRotationMatchesNumpyPastTheOriginalContext) {
  const json ref = Reference();
  const model::ModelDesc d = DescFromReference(ref);
  // A GGUF written as llama.cpp's converter stores longrope: the factor tensors, the
  // original length and the attention factor as keys, rope.dimension_count for partial.
  testing::TempDir dir;
  const auto path = dir.path() / "phi3-longrope.gguf";
  ASSERT_TRUE(model::WriteSyntheticGguf(d, TensorType::kF32, path).ok());
  auto files = model::OpenModelFiles(path);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  const model::ModelDesc& g = (*files)->desc();
  EXPECT_EQ(g.rope_scaling.type, model::RopeScalingType::kLongRope);
  EXPECT_EQ(g.rope_scaling.short_factors, d.rope_scaling.short_factors);
  EXPECT_EQ(g.rope_scaling.long_factors, d.rope_scaling.long_factors);
  EXPECT_EQ(g.rope_scaling.attn_factor, d.rope_scaling.attn_factor);
  EXPECT_EQ(model::RopeDims(g), 24);
  ExpectRotationMatches(**files, ref);
}

TEST(LongRopeTest, RefusesWhatItCannotRun) {
  json config = Reference()["config"];
  config["model_type"] = "phi3";
  config["vocab_size"] = 256;
  config["intermediate_size"] = 64;
  config["num_hidden_layers"] = 1;
  json no_original = config;
  no_original.erase("original_max_position_embeddings");
  auto a = model::DescFromConfig(no_original.dump(), "");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("original_max_position_embeddings"), std::string::npos);
  json short_list = config;
  short_list["rope_scaling"]["short_factor"].erase(0);
  EXPECT_FALSE(model::DescFromConfig(short_list.dump(), "").ok());
  json unknown = config;
  unknown["rope_scaling"] = {{"type", "ntk-by-parts"}, {"factor", 4.0}};
  auto b = model::DescFromConfig(unknown.dump(), "");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("ntk-by-parts"), std::string::npos);
  json gelu = config;
  gelu["hidden_act"] = "gelu";
  EXPECT_FALSE(model::DescFromConfig(gelu.dump(), "").ok());
}

}  // namespace
}  // namespace hfd
