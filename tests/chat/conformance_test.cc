// Conformance: every rendering in fixtures/chat/expected.json (made by @huggingface/jinja),
// byte for byte, and the templates inside the fixture models' tokenizer_config.json.
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/chat/chat_template.h"
#include "engine/chat/template_source.h"
#include "tests/support/fixtures.h"

namespace hfd::chat {
namespace {

TEST(ChatTemplateConformance, ExpectedJsonRendersByteForByte) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const auto dir = fixtures / "chat";
  auto expected =
      nlohmann::ordered_json::parse(hfd::testing::ReadFileOrFail(dir / "expected.json"));
  ASSERT_TRUE(expected.is_array());
  ASSERT_FALSE(expected.empty());
  std::set<std::string> templates;
  int checked = 0;
  for (const auto& entry : expected) {
    const std::string name = entry["template"].get<std::string>();
    SCOPED_TRACE(name + " / " + entry["conversation"].get<std::string>() +
                 (entry["add_generation_prompt"].get<bool>() ? " / +gen" : " / -gen"));
    auto tmpl = ChatTemplate::Parse(hfd::testing::ReadFileOrFail(dir / name));
    ASSERT_TRUE(tmpl.ok()) << tmpl.status().ToString();
    RenderOptions options;
    options.add_generation_prompt = entry["add_generation_prompt"].get<bool>();
    options.bos_token = entry["bos_token"].get<std::string>();
    options.eos_token = entry["eos_token"].get<std::string>();
    if (entry.contains("date_string"))
      options.date_string = entry["date_string"].get<std::string>();
    auto rendered = tmpl->Render(entry["messages"], options);
    if (!entry["error"].is_null()) {
      EXPECT_FALSE(rendered.ok());
      continue;
    }
    ASSERT_TRUE(rendered.ok()) << rendered.status().ToString();
    EXPECT_EQ(*rendered, entry["rendered"].get<std::string>());
    templates.insert(name);
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(expected.size()));
  EXPECT_GE(templates.size(), 4u);
}

// The fixtures' own templates: found through the model directory and rendered.
TEST(ChatTemplateConformance, FixtureModelTemplatesRender) {
  HFD_REQUIRE_FIXTURES(fixtures);
  const auto messages = nlohmann::ordered_json::parse(R"([
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "Hello!"},
    {"role": "user", "content": "  What is 2+2?  "}])");

  {
    auto source = FindChatTemplate(fixtures / "models" / "tiny-llama3");
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    auto tmpl = ChatTemplate::Parse(*source);
    ASSERT_TRUE(tmpl.ok()) << tmpl.status().ToString();
    RenderOptions options;
    ASSERT_TRUE(
        SpecialTokensFromTokenizerConfig(
            hfd::testing::ReadFileOrFail(fixtures / "models/tiny-llama3/tokenizer_config.json"),
            &options)
            .ok());
    EXPECT_EQ(options.bos_token, "<|begin_of_text|>");
    options.add_generation_prompt = true;
    auto out = tmpl->Render(messages, options);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(*out,
              "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
              "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
              "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
              "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
              "<|start_header_id|>assistant<|end_header_id|>\n\n");
  }
  for (const char* model : {"tiny-qwen2", "tiny-qwen3"}) {
    SCOPED_TRACE(model);
    auto source = FindChatTemplate(fixtures / "models" / model);
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    auto tmpl = ChatTemplate::Parse(*source);
    ASSERT_TRUE(tmpl.ok()) << tmpl.status().ToString();
    RenderOptions options;
    options.add_generation_prompt = true;
    auto out = tmpl->Render(messages, options);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(*out,
              "<|im_start|>system\nBe brief.<|im_end|>\n"
              "<|im_start|>user\nHi<|im_end|>\n"
              "<|im_start|>assistant\nHello!<|im_end|>\n"
              "<|im_start|>user\n  What is 2+2?  <|im_end|>\n"
              "<|im_start|>assistant\n");
    // Qwen3 thinking: enable_thinking=false closes an empty think block.
    options.extra = {{"enable_thinking", false}};
    out = tmpl->Render(messages, options);
    ASSERT_TRUE(out.ok());
    EXPECT_TRUE(out->ends_with("<|im_start|>assistant\n<think>\n\n</think>\n\n")) << *out;
  }
}

// The same templates with tools and tool calls, which expected.json does not cover.
TEST(ChatTemplateConformance, QwenToolCallsRender) {
  HFD_REQUIRE_FIXTURES(fixtures);
  auto source = FindChatTemplate(fixtures / "models" / "tiny-qwen2");
  ASSERT_TRUE(source.ok());
  auto tmpl = ChatTemplate::Parse(*source);
  ASSERT_TRUE(tmpl.ok());
  RenderOptions options;
  options.tools = nlohmann::ordered_json::parse(
      R"([{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}])");
  auto messages = nlohmann::ordered_json::parse(R"([
    {"role": "user", "content": "Weather in Paris?"},
    {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
    {"role": "tool", "content": "22C"}])");
  auto out = tmpl->Render(messages, options);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(
      *out,
      "<|im_start|>system\n# Tools\n\nYou may call one or more functions to assist with the "
      "user query.\n\nYou are provided with function signatures within <tools></tools> XML "
      "tags:\n<tools>\n"
      R"({"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}})"
      "\n</tools>\n\nFor each function call, return a json object with function name and "
      "arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": "
      "<function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n"
      "<|im_start|>user\nWeather in Paris?<|im_end|>\n"
      "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
      "{\"city\": \"Paris\"}}\n</tool_call><|im_end|>\n"
      "<|im_start|>user\n<tool_response>\n22C\n</tool_response><|im_end|>\n");
}

}  // namespace
}  // namespace hfd::chat
