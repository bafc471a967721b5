// gpt-oss-20b's published chat template (testdata/gpt-oss-20b) rendered by hfd's Jinja
// engine: the text must be the harmony format's prompt, as its specification writes it.
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/chat/test_util.h"

namespace hfd::chat {
namespace {

using testing::RenderOrError;

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(HFD_CHAT_TESTDATA) + "/gpt-oss-20b/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing tests/chat/testdata/gpt-oss-20b/" << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ReadTemplate() { return ReadTestdata("chat_template.jinja"); }

// strftime_now("%Y-%m-%d") as the template calls it: today in local time.
std::string Today() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char day[16];
  return std::string(day, std::strftime(day, sizeof(day), "%Y-%m-%d", &tm));
}

// The system message harmony prescribes, for a reasoning effort.
std::string SystemMessage(const std::string& day, const std::string& effort) {
  return "<|start|>system<|message|>You are ChatGPT, a large language model trained by "
         "OpenAI.\nKnowledge cutoff: 2024-06\nCurrent date: " +
         day + "\n\nReasoning: " + effort +
         "\n\n# Valid channels: analysis, commentary, final. Channel must be included for "
         "every message.<|end|>";
}

// Renders with today's date in the expectation; a render that straddles midnight is
// compared with the next day's too.
void ExpectRender(const std::string& messages, const RenderOptions& options,
                  const std::string& effort, const std::string& rest) {
  const std::string before = Today();
  const std::string out = RenderOrError(ReadTemplate(), messages, options);
  const std::string after = Today();
  if (out != SystemMessage(before, effort) + rest) {
    EXPECT_EQ(out, SystemMessage(after, effort) + rest);
  }
}

// The specification's example prompt: a system prompt (harmony's developer message) and a
// user turn, reasoning effort high.
TEST(GptOssTemplate, RendersTheHarmonySpecificationsPrompt) {
  RenderOptions options;
  options.add_generation_prompt = true;
  options.extra = {{"reasoning_effort", "high"}};
  ExpectRender(R"([{"role": "system", "content": "Always respond in riddles"},
                   {"role": "user", "content": "What is the weather like in SF?"}])",
               options, "high",
               "<|start|>developer<|message|># Instructions\n\nAlways respond in riddles\n\n<|end|>"
               "<|start|>user<|message|>What is the weather like in SF?<|end|>"
               "<|start|>assistant");
}

// A conversation: earlier assistant turns keep their final answer and drop their analysis
// (harmony drops the chain of thought of finished turns); the effort defaults to medium.
TEST(GptOssTemplate, EarlierTurnsKeepTheAnswerAndDropTheThinking) {
  RenderOptions options;
  options.add_generation_prompt = true;
  ExpectRender(R"([{"role": "system", "content": "Be brief."},
                   {"role": "user", "content": "What is 2+2?"},
                   {"role": "assistant", "content": "4.", "thinking": "Simple sum."},
                   {"role": "user", "content": "And 3+3?"}])",
               options, "medium",
               "<|start|>developer<|message|># Instructions\n\nBe brief.\n\n<|end|>"
               "<|start|>user<|message|>What is 2+2?<|end|>"
               "<|start|>assistant<|channel|>final<|message|>4.<|end|>"
               "<|start|>user<|message|>And 3+3?<|end|>"
               "<|start|>assistant");
}

// Without a system prompt there is no developer message; a finished last assistant turn
// (training form, no generation prompt) keeps its analysis and ends with <|return|>.
TEST(GptOssTemplate, AFinishedLastTurnKeepsItsAnalysisAndEndsWithReturn) {
  RenderOptions options;
  options.extra = {{"reasoning_effort", "low"}};
  ExpectRender(R"([{"role": "user", "content": "Hi"},
                   {"role": "assistant", "content": "Hello!", "thinking": "A greeting."}])",
               options, "low",
               "<|start|>user<|message|>Hi<|end|>"
               "<|start|>assistant<|channel|>analysis<|message|>A greeting.<|end|>"
               "<|start|>assistant<|channel|>final<|message|>Hello!<|return|>");
}

// Tools (function schemas rendered as TypeScript by recursive macros, the built-in
// browser), a tool call with its analysis, and a tool result: the text Jinja2 renders with
// transformers' settings (testdata/gpt-oss-20b/README.md).
TEST(GptOssTemplate, ToolsAndToolCallsRenderAsJinja2RendersThem) {
  const auto request = nlohmann::ordered_json::parse(ReadTestdata("tools_case.json"));
  RenderOptions options;
  options.add_generation_prompt = true;
  options.tools = request["tools"];
  options.extra = {{"builtin_tools", request["builtin_tools"]},
                   {"reasoning_effort", request["reasoning_effort"]}};
  const std::string expected = ReadTestdata("tools_expected.txt");
  const size_t date = expected.find("@DATE@");
  ASSERT_NE(date, std::string::npos);
  const std::string before = Today();
  const std::string out = RenderOrError(ReadTemplate(), request["messages"].dump(), options);
  const std::string after = Today();
  if (out != std::string(expected).replace(date, 6, before)) {
    EXPECT_EQ(out, std::string(expected).replace(date, 6, after));
  }
}

TEST(GptOssTemplate, ChannelMarkersInContentAreRefused) {
  RenderOptions options;
  options.add_generation_prompt = true;
  const std::string out = RenderOrError(ReadTemplate(),
                                        R"([{"role": "user", "content": "Hi"},
          {"role": "assistant", "content": "<|channel|>final<|message|>Hello!"}])",
                                        options);
  EXPECT_EQ(out.rfind("ERROR: You have passed a message containing <|channel|> tags in the "
                      "content field.",
                      0),
            0u)
      << out;
}

}  // namespace
}  // namespace hfd::chat
