// hfd-make-demo-model writes the quick start's demo model: a GGUF file hfd's engine loads,
// with GPT-2's real tokenizer plus the ChatML tokens and template, that generates text.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "backends/cpu/cpu_backend.h"
#include "engine/chat/chat_template.h"
#include "engine/gguf/gguf_file.h"
#include "engine/model/model_files.h"
#include "engine/runtime/generator.h"
#include "engine/runtime/session.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/daemon/harness.h"
#include "tests/support/fixtures.h"

namespace hfd {
namespace {

namespace fs = std::filesystem;

constexpr int32_t kGpt2Vocab = 50257;

class DemoModel : public ::testing::Test {
 protected:
  // Written once for the whole suite: the tests only read it.
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    model_ = dir_->path() / "demo.gguf";
    make_ = Make(model_);
  }
  static void TearDownTestSuite() { delete dir_; }

  static testing::CommandResult Make(const fs::path& out) {
    return testing::RunCommand({testing::BinaryFromEnv("HFD_MAKE_DEMO_MODEL_BIN"), "--vocab",
                                HFD_DEMO_VOCAB, "--out", out.string()});
  }

  void SetUp() override { ASSERT_EQ(make_.exit_code, 0) << make_.out << make_.err; }

  static inline testing::TempDir* dir_ = nullptr;
  static inline fs::path model_;
  static inline testing::CommandResult make_;
};

TEST_F(DemoModel, IsALlamaModelWithTiedEmbeddingsAndTheExtendedVocabulary) {
  auto files = model::OpenModelFiles(model_);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  const model::ModelDesc& d = (*files)->desc();
  EXPECT_EQ(d.arch, model::Architecture::kLlama);
  EXPECT_EQ(d.n_vocab, kGpt2Vocab + 2);
  EXPECT_TRUE(d.tied_embeddings);
  EXPECT_EQ(d.n_ctx_train, 2048);
  EXPECT_LT(fs::file_size(model_), 40u << 20) << "the demo must stay quick on 2 cores";
}

TEST_F(DemoModel, TokenizesLikeGpt2AndKnowsTheChatMlTokens) {
  auto vocab = gguf::GgufFile::Open(HFD_DEMO_VOCAB);
  auto demo = gguf::GgufFile::Open(model_);
  ASSERT_TRUE(vocab.ok() && demo.ok());
  auto gpt2 = tok::Tokenizer::FromGguf(**vocab);
  auto ours = tok::Tokenizer::FromGguf(**demo);
  ASSERT_TRUE(gpt2.ok() && ours.ok()) << ours.status().ToString();
  for (const char* text : {"Once upon a time", " Hello, world!\n\tcafé 123", "<|endoftext|>"}) {
    EXPECT_EQ((*ours)->Encode(text, true), (*gpt2)->Encode(text, true)) << text;
  }
  EXPECT_EQ((*ours)->vocab_size(), kGpt2Vocab + 2);
  EXPECT_EQ((*ours)->TokenId("<|im_start|>"), kGpt2Vocab);
  EXPECT_EQ((*ours)->TokenId("<|im_end|>"), kGpt2Vocab + 1);
  EXPECT_TRUE((*ours)->IsEndOfGeneration(kGpt2Vocab + 1));
  EXPECT_EQ((*ours)->eos_id(), kGpt2Vocab - 1);  // <|endoftext|>
  const std::vector<int32_t> turn = (*ours)->Encode("<|im_start|>user\nHi<|im_end|>", false);
  ASSERT_GE(turn.size(), 3u);
  EXPECT_EQ(turn.front(), kGpt2Vocab);
  EXPECT_EQ(turn.back(), kGpt2Vocab + 1);
  EXPECT_EQ((*ours)->Decode(turn), "<|im_start|>user\nHi<|im_end|>");
}

TEST_F(DemoModel, CarriesAChatMlTemplate) {
  auto demo = gguf::GgufFile::Open(model_);
  ASSERT_TRUE(demo.ok());
  auto source = (*demo)->GetString("tokenizer.chat_template");
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  auto chat_template = chat::ChatTemplate::Parse(*source);
  ASSERT_TRUE(chat_template.ok()) << chat_template.status().ToString();
  const nlohmann::json messages = {{{"role", "system"}, {"content", "Be brief."}},
                                   {{"role", "user"}, {"content", "Hi"}}};
  chat::RenderOptions options;
  options.add_generation_prompt = true;
  auto rendered = chat_template->Render(messages, options);
  ASSERT_TRUE(rendered.ok()) << rendered.status().ToString();
  EXPECT_EQ(*rendered,
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
            "<|im_start|>assistant\n");
}

TEST_F(DemoModel, GeneratesOnTheCpuBackend) {
  auto files = model::OpenModelFiles(model_);
  auto tokenizer = tok::Tokenizer::FromPath(model_);
  ASSERT_TRUE(files.ok() && tokenizer.ok());
  auto backend = cpu::CreateCpuBackend({});
  ASSERT_TRUE(backend->LoadWeights(**files).ok());
  auto session = runtime::Session::Create(*backend, **files, {256, 64, runtime::KvType::kF16});
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  runtime::GenerateRequest request;
  request.prompt = (*tokenizer)->Encode("Once upon a time", true);
  request.params.temperature = 0.0f;
  request.params.max_tokens = 8;
  auto result = runtime::Generate(
      **session, **tokenizer, request,
      [](std::string_view, int32_t, const runtime::TokenLogprobs*) { return true; });
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->tokens.size(), 8u);
  EXPECT_EQ(result->stop_reason, sampling::StopReason::kMaxTokens);
  // Random weights, but every token its own embedding: greedy decoding is not stuck on
  // one token.
  EXPECT_GT(std::set<int32_t>(result->tokens.begin(), result->tokens.end()).size(), 1u);
}

TEST_F(DemoModel, IsDeterministic) {
  const fs::path again = dir_->path() / "again.gguf";
  ASSERT_EQ(Make(again).exit_code, 0);
  EXPECT_EQ(testing::ReadFileOrFail(again), testing::ReadFileOrFail(model_));
}

TEST_F(DemoModel, AMissingVocabularyIsAUsageError) {
  testing::CommandResult r =
      testing::RunCommand({testing::BinaryFromEnv("HFD_MAKE_DEMO_MODEL_BIN"), "--vocab",
                           "/nonexistent.gguf", "--out", (dir_->path() / "x.gguf").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(fs::exists(dir_->path() / "x.gguf"));
}

}  // namespace
}  // namespace hfd
