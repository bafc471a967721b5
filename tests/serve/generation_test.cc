// One generation on a slot: conversation prefix reuse gives the same greedy tokens as a
// fresh session while prefilling fewer tokens; chat prompts and their stop ids; a
// Nemo-shaped model with Mistral Nemo's real tekken vocabulary end to end.
#include <gtest/gtest.h>

#include "backends/cpu/cpu_backend.h"
#include "engine/model/model_files.h"
#include "serve/generation.h"
#include "serve/prompt.h"
#include "tests/serve/harmony_test_model.h"
#include "tests/serve/serve_test_env.h"
#include "tests/serve/test_model.h"
#include "tests/support/fixtures.h"

namespace hfd::serve::testing {
namespace {

struct Engine {
  std::unique_ptr<model::ModelFiles> files;
  std::unique_ptr<runtime::Backend> backend;
  std::shared_ptr<const ModelText> text;

  Slot NewSlot() {
    Slot slot;
    auto session = runtime::Session::Create(*backend, *files, {.n_ctx = 256, .prefill_batch = 16});
    EXPECT_TRUE(session.ok());
    slot.session = std::move(session).value();
    return slot;
  }
};

Engine OpenEngine(const std::filesystem::path& path = TestModelPath()) {
  Engine e;
  auto files = model::OpenModelFiles(path);
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  e.files = std::move(files).value();
  e.backend = cpu::CreateCpuBackend({.n_threads = 1});
  EXPECT_TRUE(e.backend->LoadWeights(*e.files).ok());
  auto text = LoadModelText(TestSource(path));
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  e.text = std::move(text).value();
  return e;
}

runtime::GenerateRequest Greedy(std::vector<int32_t> prompt, int32_t max_tokens) {
  runtime::GenerateRequest r;
  r.prompt = std::move(prompt);
  r.params.temperature = 0;
  r.params.max_tokens = max_tokens;
  return r;
}

const runtime::TextSink kKeepGoing = [](std::string_view, int32_t, const runtime::TokenLogprobs*) {
  return true;
};

TEST(Generation, NextTurnReusesThePrefixAndMatchesAFreshSession) {
  Engine e = OpenEngine();
  const tok::Tokenizer& tokenizer = *e.text->tokenizer;
  Slot conversation = e.NewSlot();
  const std::vector<int32_t> turn1 = tokenizer.Encode("Hello there, model.", false);
  auto first = RunGeneration(conversation, tokenizer, Greedy(turn1, 6), kKeepGoing);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->cached_tokens, 0);
  EXPECT_EQ(static_cast<int32_t>(conversation.processed.size()), conversation.session->position());

  // The next turn: the first prompt, the reply's tokens, then new text.
  std::vector<int32_t> turn2 = conversation.processed;
  const std::vector<int32_t> more = tokenizer.Encode(" And now?", false);
  turn2.insert(turn2.end(), more.begin(), more.end());
  auto reused = RunGeneration(conversation, tokenizer, Greedy(turn2, 8), kKeepGoing);
  ASSERT_TRUE(reused.ok()) << reused.status().ToString();
  EXPECT_EQ(reused->cached_tokens, static_cast<int32_t>(turn2.size() - more.size()));
  EXPECT_EQ(reused->prompt_tokens, static_cast<int32_t>(turn2.size()));

  Slot fresh = e.NewSlot();
  auto baseline = RunGeneration(fresh, tokenizer, Greedy(turn2, 8), kKeepGoing);
  ASSERT_TRUE(baseline.ok());
  EXPECT_EQ(baseline->cached_tokens, 0);
  EXPECT_EQ(reused->result.text, baseline->result.text);
  EXPECT_EQ(reused->result.tokens.size(), baseline->result.tokens.size());
}

TEST(Generation, ADivergingPromptRewindsToTheCommonPrefix) {
  Engine e = OpenEngine();
  const tok::Tokenizer& tokenizer = *e.text->tokenizer;
  Slot slot = e.NewSlot();
  ASSERT_TRUE(
      RunGeneration(slot, tokenizer, Greedy(tokenizer.Encode("abcdef", false), 4), kKeepGoing)
          .ok());
  const std::vector<int32_t> other = tokenizer.Encode("abcXYZ", false);
  auto r = RunGeneration(slot, tokenizer, Greedy(other, 4), kKeepGoing);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->cached_tokens, 3);
  Slot fresh = e.NewSlot();
  auto baseline = RunGeneration(fresh, tokenizer, Greedy(other, 4), kKeepGoing);
  ASSERT_TRUE(baseline.ok());
  EXPECT_EQ(r->result.text, baseline->result.text);

  // The same prompt again reuses all but its last token.
  auto again = RunGeneration(slot, tokenizer, Greedy(other, 4), kKeepGoing);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->cached_tokens, static_cast<int32_t>(other.size()) - 1);
  EXPECT_EQ(again->result.text, baseline->result.text);
}

TEST(Generation, CancelStopsAtTheNextToken) {
  Engine e = OpenEngine();
  Slot slot = e.NewSlot();
  int tokens = 0;
  auto r = RunGeneration(
      slot, *e.text->tokenizer, Greedy({1, 2, 3}, -1),
      [&](std::string_view, int32_t, const runtime::TokenLogprobs*) { return ++tokens < 3; });
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->result.cancelled);
  EXPECT_EQ(r->result.tokens.size(), 3u);
  EXPECT_EQ(StopReasonWireName(r->result.stop_reason), "cancelled");
}

// The scripted harmony model (harmony_test_model.h) says its script after a chat prompt
// from gpt-oss's template, after a short raw prompt and after a long one; its text splits
// into the analysis and the answer.
TEST(Generation, TheHarmonyTestModelSaysItsScriptWhateverThePrompt) {
  Engine e = OpenEngine(HarmonyTestModelPath());
  const tok::Tokenizer& tokenizer = *e.text->tokenizer;
  const std::optional<chat::HarmonyTokens> markers = HarmonyTokensOf(tokenizer);
  ASSERT_TRUE(markers.has_value());
  auto chat = ChatPromptTokens(*e.text, nlohmann::json::parse(R"([
      {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}])"),
                               nullptr);
  ASSERT_TRUE(chat.ok()) << chat.status().ToString();
  std::vector<int32_t> long_prompt = tokenizer.Encode(std::string(2000, 'x'), false);
  for (const std::vector<int32_t>& prompt :
       {*chat, tokenizer.Encode("Hi", false), std::move(long_prompt)}) {
    SCOPED_TRACE(prompt.size());
    Slot slot;
    auto session = runtime::Session::Create(*e.backend, *e.files, {.n_ctx = 2048 + 64});
    ASSERT_TRUE(session.ok()) << session.status().ToString();
    slot.session = std::move(session).value();
    runtime::GenerateRequest request = Greedy(prompt, 32);
    request.eos_ids = ChatStopIds(tokenizer);
    chat::HarmonyChannels channels(*markers);
    std::string thinking, answer;
    auto r =
        RunGeneration(slot, tokenizer, request,
                      [&](std::string_view text, int32_t token, const runtime::TokenLogprobs*) {
                        const chat::HarmonyChannels::Split s = channels.Push(token, text);
                        thinking += s.thinking;
                        answer += s.answer;
                        return true;
                      });
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->result.tokens.size(), static_cast<size_t>(kHarmonyScriptTokens));
    EXPECT_EQ(r->result.tokens.back(), kHarmonyReturn);
    EXPECT_EQ(thinking, kHarmonyThinking);
    EXPECT_EQ(answer, kHarmonyAnswer);
  }
}

TEST(Generation, StopReasonsHaveTheirWireNames) {
  EXPECT_EQ(StopReasonWireName(sampling::StopReason::kEos), "eos");
  EXPECT_EQ(StopReasonWireName(sampling::StopReason::kStopString), "stop");
  EXPECT_EQ(StopReasonWireName(sampling::StopReason::kMaxTokens), "length");
  EXPECT_EQ(StopReasonWireName(sampling::StopReason::kContextLimit), "context");
}

TEST(Prompt, ChatIsRenderedWithTheTemplateAndStopsAtEndOfTurn) {
  auto text = LoadModelText(TestSource(TestModelPath()));
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  const nlohmann::json messages = {{{"role", "user"}, {"content", "Hi"}}};
  auto ids = ChatPromptTokens(**text, messages, nullptr);
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ((*text)->tokenizer->Decode(*ids, false),
            "<|im_start|>user\nHi<|im_end|>\n"
            "<|im_start|>assistant\n");
  EXPECT_EQ(ids->front(), 257);  // <|im_start|> recognized as one control token
  const std::vector<int32_t> stops = ChatStopIds(*(*text)->tokenizer);
  EXPECT_NE(std::find(stops.begin(), stops.end(), kImEnd), stops.end());
  EXPECT_NE(std::find(stops.begin(), stops.end(), kEndOfText), stops.end());
}

// A harmony vocabulary (gpt-oss's markers): chat stops at <|return|> and <|call|>, not at
// <|end|>, which ends the analysis message before the answer, even named as the EOS.
TEST(Prompt, HarmonyChatStopsAtReturnNotAtEnd) {
  std::string vocab = R"([["<unk>", 0.0])", added;
  const char* markers[] = {"<|start|>", "<|channel|>", "<|message|>",
                           "<|end|>",   "<|return|>",  "<|call|>"};
  for (int i = 0; i < 6; ++i) {
    vocab += R"(, [")" + std::string(markers[i]) + R"(", 0.0])";
    added += std::string(i ? "," : "") + R"({"id": )" + std::to_string(i + 1) +
             R"(, "content": ")" + markers[i] + R"(", "special": true})";
  }
  const std::string json = R"({"model": {"type": "Unigram", "unk_id": 0, "vocab": )" + vocab +
                           R"(]}, "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581"},)"
                           R"( "added_tokens": [)" +
                           added + "]}";
  auto tokenizer = tok::Tokenizer::FromJson(json, "", R"({"eos_token_id": [4, 5]})");
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  const std::optional<chat::HarmonyTokens> harmony = HarmonyTokensOf(**tokenizer);
  ASSERT_TRUE(harmony.has_value());
  EXPECT_EQ(harmony->channel, 2);
  EXPECT_EQ(harmony->end, 4);
  EXPECT_EQ(ChatStopIds(**tokenizer), (std::vector<int32_t>{5, 6}));
}

TEST(Prompt, RawPromptsGetNoSpecialTokens) {
  auto text = LoadModelText(TestSource(TestModelPath()));
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(TextPromptTokens(**text, "ab", true), (std::vector<int32_t>{'a', 'b'}));
}

// Nemo's chat template renders each conversation to llama-tokenize's ids for the text
// Hugging Face's renderer gave (testdata/tekken/reference.json), and the generated ids
// decode to the text that was streamed, which encodes and decodes back to itself.
TEST(Nemo, TekkenChatPromptGenerationAndDecodeRoundTrip) {
  hfd::testing::TempDir dir;
  const std::filesystem::path path = dir.path() / "tiny-nemo-tekken.gguf";
  ASSERT_TRUE(WriteTinyNemo(path, HFD_TEKKEN_VOCAB).ok());
  Engine e = OpenEngine(path);
  ASSERT_NE(e.text, nullptr);
  const tok::Tokenizer& tokenizer = *e.text->tokenizer;
  const nlohmann::json reference = nlohmann::json::parse(
      hfd::testing::ReadFileOrFail(std::filesystem::path(HFD_TEKKEN_TESTDATA) / "reference.json"));
  ASSERT_EQ(reference.at("chats").size(), 3u);
  for (const nlohmann::json& chat : reference.at("chats")) {
    const int input = chat.at("input");
    auto ids = ChatPromptTokens(*e.text, chat.at("messages"), nullptr);
    ASSERT_TRUE(ids.ok()) << ids.status().ToString();
    EXPECT_EQ(*ids, reference.at("llama_cpp").at(input).get<std::vector<int32_t>>());
    EXPECT_EQ(tokenizer.Decode(*ids), reference.at("inputs").at(input));

    Slot slot = e.NewSlot();
    std::vector<int32_t> streamed_ids;
    auto run = RunGeneration(slot, tokenizer, Greedy(*ids, 12),
                             [&](std::string_view, int32_t id, const runtime::TokenLogprobs*) {
                               streamed_ids.push_back(id);
                               return true;
                             });
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    const std::string& text = run->result.text;
    EXPECT_EQ(run->result.tokens, streamed_ids);
    EXPECT_FALSE(text.empty()) << ::testing::PrintToString(run->result.tokens);
    EXPECT_EQ(tokenizer.Decode(run->result.tokens, /*skip_special=*/true), text);
    EXPECT_EQ(tokenizer.Decode(tokenizer.Encode(text, false)), text);
  }
}

}  // namespace
}  // namespace hfd::serve::testing
