// gpt-oss's harmony channels on every door, with a scripted model that answers in them
// (tests/serve/harmony_test_model.h: analysis "Thinking hard.", final "Hello there!") and
// gpt-oss-20b's published chat template: hfctl run and chat show the final channel (and
// the analysis with --show-thinking); Ollama's API returns the analysis as `thinking`
// (none for think: false), the OpenAI API as `reasoning_content`, streamed and whole,
// through curl and the real clients.
#include <gtest/gtest.h>

#include <sstream>

#include "tests/http/http_harness.h"
#include "tests/serve/harmony_test_model.h"

namespace hfd::testing {
namespace {

using nlohmann::json;
using serve::testing::kHarmonyAnswer;
using serve::testing::kHarmonyThinking;

constexpr const char* kRepo = "fixtures/harmony-script-GGUF";
constexpr const char* kModel = "fixtures/harmony-script-GGUF:F32";

class HarmonyTest : public HttpTest {
 protected:
  void SetUp() override {
    HttpTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    Result<std::string> bytes = serve::testing::HarmonyTestModelBytes();
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    ASSERT_NO_FATAL_FAILURE(StartServing(
        "",
        [&](hub::testing::TestHubServer& hub) {
          hub.AddFile(kRepo, "main", "harmony-script-F32.gguf", *bytes);
        },
        kModel));
  }

  // hfctl's stdout for ARGS (not JSON; no progress or statistics).
  std::string Hfctl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {BinaryFromEnv("HFCTL_BIN"), "--socket", socket()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.emplace_back("-q");
    const CommandResult r = RunCommand(argv);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return r.out;
  }

  // The JSON objects of an NDJSON body, or of an SSE body's `data:` lines (not [DONE]).
  static std::vector<json> Events(const std::string& body) {
    std::vector<json> out;
    std::istringstream lines(body);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("data: ", 0) == 0) line = line.substr(6);
      if (line.empty() || line == "[DONE]") continue;
      out.push_back(json::parse(line, nullptr, false));
      EXPECT_TRUE(out.back().is_object()) << line;
    }
    return out;
  }

  json Post(const std::string& path, const json& body) {
    const HttpResult r = Curl("POST", path, body.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json();
  }
};

json OllamaChat(bool stream) {
  return {{"model", kModel},
          {"messages", {{{"role", "user"}, {"content", "Hi"}}}},
          {"options", {{"temperature", 0}}},
          {"stream", stream}};
}

json OpenAiChat(bool stream) {
  return {{"model", kModel},
          {"messages", {{{"role", "user"}, {"content", "Hi"}}}},
          {"temperature", 0},
          {"stream", stream}};
}

TEST_F(HarmonyTest, HfctlRunAndChatShowTheFinalChannelAndTheAnalysisWhenAsked) {
  // The generate path: a raw prompt, no template.
  EXPECT_EQ(Hfctl({"run", kModel, "Hi", "--temperature", "0"}), std::string(kHarmonyAnswer) + "\n");
  EXPECT_EQ(Hfctl({"run", kModel, "Hi", "--temperature", "0", "--show-thinking"}),
            std::string(kHarmonyThinking) + "\n\n" + kHarmonyAnswer + "\n");
  const json run = HfctlJson({"run", kModel, "Hi", "--temperature", "0"});
  EXPECT_EQ(run["text"], kHarmonyAnswer) << run;
  EXPECT_EQ(run["thinking"], kHarmonyThinking) << run;
  EXPECT_EQ(run["stop_reason"], "eos") << run;
  EXPECT_EQ(run["usage"]["completion_tokens"], serve::testing::kHarmonyScriptTokens) << run;
  // The chat path, through gpt-oss's template.
  EXPECT_EQ(Hfctl({"chat", kModel, "Hi", "--temperature", "0", "--show-thinking"}),
            std::string(kHarmonyThinking) + "\n\n" + kHarmonyAnswer + "\n");
  const json chat = HfctlJson({"chat", kModel, "Hi", "--temperature", "0"});
  EXPECT_EQ(chat["message"]["content"], kHarmonyAnswer) << chat;
  EXPECT_EQ(chat["thinking"], kHarmonyThinking) << chat;
}

TEST_F(HarmonyTest, OllamaReturnsTheAnalysisAsThinkingUnlessThinkIsFalse) {
  const json whole = Post("/api/chat", OllamaChat(false));
  EXPECT_EQ(whole["message"]["content"], kHarmonyAnswer) << whole;
  EXPECT_EQ(whole["message"]["thinking"], kHarmonyThinking) << whole;

  const HttpResult streamed = Curl("POST", "/api/chat", OllamaChat(true).dump());
  ASSERT_EQ(streamed.status, 200) << streamed.body;
  std::string content, thinking;
  for (const json& part : Events(streamed.body)) {
    content += part["message"].value("content", "");
    thinking += part["message"].value("thinking", "");
  }
  EXPECT_EQ(content, kHarmonyAnswer);
  EXPECT_EQ(thinking, kHarmonyThinking);

  json quiet_body = OllamaChat(false);
  quiet_body["think"] = false;
  const json quiet = Post("/api/chat", quiet_body);
  EXPECT_EQ(quiet["message"]["content"], kHarmonyAnswer) << quiet;
  EXPECT_FALSE(quiet["message"].contains("thinking")) << quiet;
  quiet_body["stream"] = true;
  const HttpResult quiet_stream = Curl("POST", "/api/chat", quiet_body.dump());
  EXPECT_EQ(quiet_stream.body.find("thinking"), std::string::npos) << quiet_stream.body;

  // generate: the prompt goes through the template as a user turn; raw, it does not.
  for (const bool raw : {false, true}) {
    const json generated = Post("/api/generate", {{"model", kModel},
                                                  {"prompt", "Hi"},
                                                  {"raw", raw},
                                                  {"options", {{"temperature", 0}}},
                                                  {"stream", false}});
    EXPECT_EQ(generated["response"], kHarmonyAnswer) << generated;
    EXPECT_EQ(generated["thinking"], kHarmonyThinking) << generated;
  }
}

// A level in `think` is gpt-oss's reasoning effort: the system message says "Reasoning:
// high" instead of "medium", two tokens fewer of this byte-level vocabulary.
TEST_F(HarmonyTest, ThinkLevelsAndReasoningEffortReachTheTemplate) {
  const json medium = Post("/api/chat", OllamaChat(false));
  json body = OllamaChat(false);
  body["think"] = "high";
  const json high = Post("/api/chat", body);
  EXPECT_EQ(high["prompt_eval_count"].get<int>(), medium["prompt_eval_count"].get<int>() - 2)
      << high << medium;
  body["think"] = "extreme";
  EXPECT_EQ(Curl("POST", "/api/chat", body.dump()).status, 400);

  json openai = OpenAiChat(false);
  openai["reasoning_effort"] = "low";
  const json low = Post("/v1/chat/completions", openai);
  EXPECT_EQ(low["usage"]["prompt_tokens"].get<int>(), medium["prompt_eval_count"].get<int>() - 3)
      << low;
  openai["reasoning_effort"] = "max";
  const HttpResult refused = Curl("POST", "/v1/chat/completions", openai.dump());
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("reasoning_effort"), std::string::npos) << refused.body;
}

TEST_F(HarmonyTest, OpenAiReturnsTheAnalysisAsReasoningContent) {
  const json whole = Post("/v1/chat/completions", OpenAiChat(false));
  const json& message = whole["choices"][0]["message"];
  EXPECT_EQ(message["content"], kHarmonyAnswer) << whole;
  EXPECT_EQ(message["reasoning_content"], kHarmonyThinking) << whole;
  EXPECT_EQ(whole["choices"][0]["finish_reason"], "stop") << whole;

  const HttpResult streamed = Curl("POST", "/v1/chat/completions", OpenAiChat(true).dump());
  ASSERT_EQ(streamed.status, 200) << streamed.body;
  std::string content, reasoning;
  int roles = 0;
  for (const json& chunk : Events(streamed.body)) {
    const json& delta = chunk["choices"][0]["delta"];
    content += delta.value("content", "");
    reasoning += delta.value("reasoning_content", "");
    roles += delta.contains("role") ? 1 : 0;
  }
  EXPECT_EQ(content, kHarmonyAnswer);
  EXPECT_EQ(reasoning, kHarmonyThinking);
  EXPECT_EQ(roles, 1) << "the role comes once, with the first delta";

  // The legacy text completion has no reasoning field: its text is the final answer.
  const json text =
      Post("/v1/completions",
           {{"model", kModel}, {"prompt", "Hi"}, {"temperature", 0}, {"max_tokens", 32}});
  EXPECT_EQ(text["choices"][0]["text"], kHarmonyAnswer) << text;
}

TEST_F(HarmonyTest, TheRealClientsSeeTheReasoningWhereTheyLookForIt) {
  ASSERT_NO_FATAL_FAILURE(PrepareNodeClients());
  if (IsSkipped()) return;
  const CommandResult r = Node("harmony_client.mjs", {http_socket(), kModel});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json out = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(out.is_object()) << r.out;
  for (const char* call : {"openai", "openai_stream"}) {
    EXPECT_EQ(out[call]["content"], kHarmonyAnswer) << call << out;
    EXPECT_EQ(out[call]["reasoning"], kHarmonyThinking) << call << out;
  }
  for (const char* call : {"ollama", "ollama_stream"}) {
    EXPECT_EQ(out[call]["content"], kHarmonyAnswer) << call << out;
    EXPECT_EQ(out[call]["thinking"], kHarmonyThinking) << call << out;
  }
  EXPECT_EQ(out["ollama_no_think"]["content"], kHarmonyAnswer) << out;
  EXPECT_TRUE(out["ollama_no_think"]["thinking"].is_null()) << out;
  EXPECT_EQ(out["ollama_generate"]["response"], kHarmonyAnswer) << out;
  EXPECT_EQ(out["ollama_generate"]["thinking"], kHarmonyThinking) << out;
}

}  // namespace
}  // namespace hfd::testing
