// The checks made before the weights: config.json and GGUF headers judged by the engine.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "hub/model_check.h"
#include "tests/support/fixtures.h"

namespace hfd::hub {
namespace {

// Builds GGUF headers byte by byte, so tests can write what a writer would refuse
// (unknown tensor types, cut headers).
class GgufBytes {
 public:
  explicit GgufBytes(uint32_t version = 3, uint64_t tensors = 0, uint64_t kvs = 0) {
    out_ = "GGUF";
    U32(version);
    U64(tensors);
    U64(kvs);
  }
  GgufBytes& U32(uint32_t v) { return Put(&v, 4); }
  GgufBytes& U64(uint64_t v) { return Put(&v, 8); }
  GgufBytes& Str(const std::string& s) {
    U64(s.size());
    out_ += s;
    return *this;
  }
  GgufBytes& StringKv(const std::string& key, const std::string& value) {
    return Str(key).U32(8).Str(value);
  }
  // An array of `n` strings, like tokenizer.ggml.tokens.
  GgufBytes& StringArrayKv(const std::string& key, size_t n) {
    Str(key).U32(9).U32(8).U64(n);
    for (size_t i = 0; i < n; ++i) Str("token" + std::to_string(i));
    return *this;
  }
  GgufBytes& Tensor(const std::string& name, uint32_t type) {
    return Str(name).U32(2).U64(64).U64(64).U32(type).U64(0);
  }
  const std::string& bytes() const { return out_; }

 private:
  GgufBytes& Put(const void* p, size_t n) {
    out_.append(static_cast<const char*>(p), n);
    return *this;
  }
  std::string out_;
};

constexpr uint32_t kQ4K = 12;
constexpr uint32_t kIq2Xxs = 16;  // a type the engine does not run

TEST(ModelCheckTest, GgufArchitectureIsTheEngines) {
  auto ok = CheckGgufPrefix(GgufBytes(3, 1, 1)
                                .StringKv("general.architecture", "qwen2")
                                .Tensor("blk.0.attn_q.weight", kQ4K)
                                .bytes());
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(*ok, GgufVerdict::kRunnable);

  auto mamba =
      CheckGgufPrefix(GgufBytes(3, 0, 1).StringKv("general.architecture", "mamba").bytes());
  EXPECT_EQ(mamba.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(mamba.status().message().find("'mamba'"), std::string::npos);
  EXPECT_NE(mamba.status().message().find("--force"), std::string::npos);

  EXPECT_EQ(CheckGgufPrefix(GgufBytes(1).bytes()).status().code(), ErrorCode::kUnsupported);
  EXPECT_EQ(CheckGgufPrefix("NOPE").status().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(CheckGgufPrefix(GgufBytes(3, 0, 0).bytes()).status().code(), ErrorCode::kCorrupt);
}

TEST(ModelCheckTest, GgufTensorTypesAreChecked) {
  auto iq = CheckGgufPrefix(GgufBytes(3, 2, 1)
                                .StringKv("general.architecture", "llama")
                                .Tensor("token_embd.weight", kQ4K)
                                .Tensor("blk.0.ffn_up.weight", kIq2Xxs)
                                .bytes());
  EXPECT_EQ(iq.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(iq.status().message().find("blk.0.ffn_up.weight"), std::string::npos)
      << iq.status().ToString();
}

TEST(ModelCheckTest, CutGgufHeaderAsksForMoreBytes) {
  const std::string whole = GgufBytes(3, 1, 2)
                                .StringArrayKv("tokenizer.ggml.tokens", 1000)
                                .StringKv("general.architecture", "llama")
                                .Tensor("output.weight", kIq2Xxs)
                                .bytes();
  // Cut anywhere before the tensor info: nothing to refuse yet, and never an error.
  for (size_t cut : {size_t{8}, size_t{30}, whole.size() / 2, whole.size() - 10}) {
    auto partial = CheckGgufPrefix(whole.substr(0, cut));
    ASSERT_TRUE(partial.ok()) << cut << ": " << partial.status().ToString();
    EXPECT_EQ(*partial, GgufVerdict::kNeedMoreBytes) << cut;
  }
  EXPECT_EQ(CheckGgufPrefix(whole).status().code(), ErrorCode::kUnsupported);
}

TEST(ModelCheckTest, UnknownGgufValueTypeIsCorrupt) {
  const std::string bad = GgufBytes(3, 0, 1).Str("general.name").U32(77).U32(0).bytes();
  EXPECT_EQ(CheckGgufPrefix(bad).status().code(), ErrorCode::kCorrupt);
}

constexpr const char* kLlamaConfig = R"({"architectures": ["LlamaForCausalLM"],
  "model_type": "llama", "vocab_size": 64, "hidden_size": 32, "num_hidden_layers": 1,
  "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 64,
  "torch_dtype": "bfloat16")";

std::string LlamaConfigWith(const std::string& extra) {
  return std::string(kLlamaConfig) + extra + "}";
}

TEST(ModelCheckTest, ConfigJsonIsJudgedByTheEngine) {
  EXPECT_TRUE(CheckConfigJson(LlamaConfigWith("")).ok())
      << CheckConfigJson(LlamaConfigWith("")).ToString();
  Status mamba =
      CheckConfigJson(R"({"architectures": ["MambaForCausalLM"], "model_type": "mamba"})");
  EXPECT_EQ(mamba.code(), ErrorCode::kUnsupported);
  EXPECT_NE(mamba.message().find("'mamba'"), std::string::npos) << mamba.ToString();
  // What only the engine's description knows: refused too.
  Status bias = CheckConfigJson(LlamaConfigWith(R"(, "mlp_bias": true)"));
  EXPECT_EQ(bias.code(), ErrorCode::kUnsupported);
  EXPECT_NE(bias.message().find("--force"), std::string::npos);
  Status rope =
      CheckConfigJson(LlamaConfigWith(R"(, "rope_scaling": {"rope_type": "ntk-by-parts"})"));
  EXPECT_EQ(rope.code(), ErrorCode::kUnsupported);
  EXPECT_EQ(CheckConfigJson(R"({"model_type": "llama"})").code(), ErrorCode::kCorrupt);
  EXPECT_EQ(CheckConfigJson("[").code(), ErrorCode::kCorrupt);
}

TEST(ModelCheckTest, ConfigJsonWeightTypes) {
  Status gptq =
      CheckConfigJson(LlamaConfigWith(R"(, "quantization_config": {"quant_method": "gptq"})"));
  EXPECT_EQ(gptq.code(), ErrorCode::kUnsupported);
  EXPECT_NE(gptq.message().find("gptq"), std::string::npos);
  Status fp8 = CheckConfigJson(LlamaConfigWith(R"(, "dtype": "float8_e4m3fn")"));
  EXPECT_EQ(fp8.code(), ErrorCode::kUnsupported);
  EXPECT_NE(fp8.message().find("float8_e4m3fn"), std::string::npos);
}

// The fixtures' real models pass; a real GGUF header with a 32k-151k token vocabulary needs
// more than the first read but fits in the largest.
TEST(ModelCheckTest, RealFixturesPass) {
  HFD_REQUIRE_FIXTURES(fixtures);
  for (const char* model : {"tiny-llama2", "tiny-llama3", "tiny-qwen2", "tiny-qwen3"}) {
    const std::string config =
        ::hfd::testing::ReadFileOrFail(fixtures / "models" / model / "config.json");
    EXPECT_TRUE(CheckConfigJson(config).ok())
        << model << ": " << CheckConfigJson(config).ToString();
  }
  for (const char* gguf :
       {"tiny-llama2-Q4_K_M.gguf", "tiny-llama3-Q8_0.gguf", "tiny-qwen2-Q8_0.gguf"}) {
    const std::string bytes = ::hfd::testing::ReadFileOrFail(fixtures / "gguf" / gguf);
    auto head = CheckGgufPrefix(bytes.substr(0, kGgufMaxPrefixBytes));
    ASSERT_TRUE(head.ok()) << gguf << ": " << head.status().ToString();
    EXPECT_EQ(*head, GgufVerdict::kRunnable) << gguf;
  }
  const std::string qwen =
      ::hfd::testing::ReadFileOrFail(fixtures / "gguf" / "tiny-qwen2-Q8_0.gguf");
  auto first = CheckGgufPrefix(qwen.substr(0, kGgufFirstPrefixBytes));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, GgufVerdict::kNeedMoreBytes);
}

}  // namespace
}  // namespace hfd::hub
