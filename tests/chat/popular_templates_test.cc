// Templates of popular instruct models (as published in their tokenizer_config.json),
// rendered for a typical conversation. Expected strings are what transformers produces.
#include <gtest/gtest.h>

#include "tests/chat/test_util.h"

namespace hfd::chat {
namespace {

using testing::RenderOrError;

constexpr const char* kConversation = R"([
  {"role": "user", "content": "Hi"},
  {"role": "assistant", "content": "Hello!"},
  {"role": "user", "content": "2+2?"}])";

constexpr const char* kWithSystem = R"([
  {"role": "system", "content": "Be brief."},
  {"role": "user", "content": "Hi"},
  {"role": "assistant", "content": "Hello!"},
  {"role": "user", "content": "2+2?"}])";

RenderOptions Options(bool generation_prompt, std::string bos = "<s>", std::string eos = "</s>") {
  RenderOptions o;
  o.add_generation_prompt = generation_prompt;
  o.bos_token = std::move(bos);
  o.eos_token = std::move(eos);
  return o;
}

TEST(PopularTemplatesTest, Llama2) {
  const char* t =
      R"({% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\n' + system_message + '\n<</SYS>>\n\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %})";
  EXPECT_EQ(
      RenderOrError(t, kWithSystem, Options(true)),
      "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! </s><s>[INST] 2+2? [/INST]");
  EXPECT_EQ(RenderOrError(t, R"([{"role": "assistant", "content": "x"}])", Options(true)),
            "ERROR: Conversation roles must alternate user/assistant/user/assistant/...");
}

TEST(PopularTemplatesTest, MixtralV01) {
  const char* t =
      R"({{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %})";
  EXPECT_EQ(RenderOrError(t, kConversation, Options(true)),
            "<s>[INST] Hi [/INST]Hello!</s>[INST] 2+2? [/INST]");
}

TEST(PopularTemplatesTest, MistralV03WithTools) {
  const char* t = R"({%- if messages[0]["role"] == "system" %}
    {%- set system_message = messages[0]["content"] %}
    {%- set loop_messages = messages[1:] %}
{%- else %}
    {%- set loop_messages = messages %}
{%- endif %}
{%- if not tools is defined %}
    {%- set tools = none %}
{%- endif %}
{%- set user_messages = loop_messages | selectattr("role", "equalto", "user") | list %}

{{- bos_token }}
{%- for message in loop_messages %}
    {%- if message["role"] == "user" %}
        {%- if tools is not none and (message == user_messages[-1]) %}
            {{- "[AVAILABLE_TOOLS] [" }}
            {%- for tool in tools %}
                {%- set tool = tool.function %}
                {{- '{"type": "function", "function": {' }}
                {%- for key, val in tool.items() if key != "return" %}
                    {%- if val is string %}
                        {{- '"' + key + '": "' + val + '"' }}
                    {%- else %}
                        {{- '"' + key + '": ' + val|tojson }}
                    {%- endif %}
                    {%- if not loop.last %}
                        {{- ", " }}
                    {%- endif %}
                {%- endfor %}
                {{- "}}" }}
                {%- if not loop.last %}
                    {{- ", " }}
                {%- else %}
                    {{- "]" }}
                {%- endif %}
            {%- endfor %}
            {{- "[/AVAILABLE_TOOLS]" }}
            {%- endif %}
        {%- if loop.last and system_message is defined %}
            {{- "[INST] " + system_message + "\n\n" + message["content"] + "[/INST]" }}
        {%- else %}
            {{- "[INST] " + message["content"] + "[/INST]" }}
        {%- endif %}
    {%- elif message["role"] == "assistant" %}
        {{- " " + message["content"]|trim + eos_token}}
    {%- endif %}
{%- endfor %}
)";
  RenderOptions o = Options(true);
  o.tools = nlohmann::ordered_json::parse(
      R"([{"type": "function", "function": {"name": "add", "description": "Adds", "parameters": {"type": "object"}, "return": {"type": "int"}}}])");
  EXPECT_EQ(RenderOrError(t, kWithSystem, o),
            "<s>[INST] Hi[/INST] Hello!</s>[AVAILABLE_TOOLS] [{\"type\": \"function\", "
            "\"function\": {\"name\": \"add\", \"description\": \"Adds\", \"parameters\": "
            "{\"type\": \"object\"}}}][/AVAILABLE_TOOLS][INST] Be brief.\n\n2+2?[/INST]");
}

TEST(PopularTemplatesTest, Gemma) {
  const char* t =
      R"({{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '
' + message['content'] | trim + '<end_of_turn>
' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model
'}}{% endif %})";
  EXPECT_EQ(RenderOrError(t, kConversation, Options(true, "<bos>")),
            "<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n"
            "<start_of_turn>user\n2+2?<end_of_turn>\n<start_of_turn>model\n");
  EXPECT_EQ(RenderOrError(t, kWithSystem, Options(true, "<bos>")),
            "ERROR: System role not supported");
}

TEST(PopularTemplatesTest, Phi3) {
  const char* t =
      R"({% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>
' + message['content'] + '<|end|>
'}}{% elif message['role'] == 'user' %}{{'<|user|>
' + message['content'] + '<|end|>
'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>
' + message['content'] + '<|end|>
'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>
' }}{% else %}{{ eos_token }}{% endif %})";
  EXPECT_EQ(RenderOrError(t, kWithSystem, Options(true)),
            "<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\nHello!<|end|>\n"
            "<|user|>\n2+2?<|end|>\n<|assistant|>\n");
  EXPECT_EQ(RenderOrError(t, R"([{"role": "user", "content": "Hi"}])",
                          Options(false, "", "<|endoftext|>")),
            "<|user|>\nHi<|end|>\n<|endoftext|>");
}

TEST(PopularTemplatesTest, ChatMl) {
  const char* t =
      R"({% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %})";
  EXPECT_EQ(RenderOrError(t, kWithSystem, Options(true)),
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
            "<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n"
            "<|im_start|>assistant\n");
}

TEST(PopularTemplatesTest, DeepSeekLlmAndR1) {
  const char* llm =
      R"({% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ 'User: ' + message['content'] + '

' }}{% elif message['role'] == 'assistant' %}{{ 'Assistant: ' + message['content'] + eos_token }}{% elif message['role'] == 'system' %}{{ message['content'] + '

' }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %})";
  EXPECT_EQ(RenderOrError(llm, kWithSystem,
                          Options(true, "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>")),
            "<｜begin▁of▁sentence｜>Be brief.\n\nUser: Hi\n\nAssistant: Hello!<｜end▁of▁sentence｜>"
            "User: 2+2?\n\nAssistant:");

  const char* r1 =
      R"({% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}{% set ns = namespace(is_first=false, is_tool=false, is_output_first=true, system_prompt='') %}{%- for message in messages %}{%- if message['role'] == 'system' %}{% set ns.system_prompt = message['content'] %}{%- endif %}{%- endfor %}{{bos_token}}{{ns.system_prompt}}{%- for message in messages %}{%- if message['role'] == 'user' %}{%- set ns.is_tool = false -%}{{'<｜User｜>' + message['content']}}{%- endif %}{%- if message['role'] == 'assistant' and message['content'] is not none %}{% set content = message['content'] %}{% if '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}{{'<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>'}}{%- endif %}{%- endfor -%}{% if add_generation_prompt and not ns.is_tool %}{{'<｜Assistant｜><think>\n'}}{% endif %})";
  const char* thinking = R"([{"role": "system", "content": "S"}, {"role": "user", "content": "Q"},
      {"role": "assistant", "content": "<think>hmm</think>A"}, {"role": "user", "content": "Q2"}])";
  EXPECT_EQ(
      RenderOrError(r1, thinking, Options(true, "<bos>")),
      "<bos>S<｜User｜>Q<｜Assistant｜>A<｜end▁of▁sentence｜><｜User｜>Q2<｜Assistant｜><think>\n");
}

// A template in the style of tool-use templates built from macros (Hermes, Command-R).
TEST(PopularTemplatesTest, MacroBasedToolTemplate) {
  const char* t = R"({%- macro json_to_python_type(json_spec) %}
{%- set basic_type_map = {"string": "str", "number": "float", "integer": "int", "boolean": "bool"} %}
{%- if basic_type_map[json_spec.type] is defined %}
    {{- basic_type_map[json_spec.type] }}
{%- elif json_spec.type == "array" %}
    {{- "list[" +  json_to_python_type(json_spec|items) + "]" }}
{%- else %}
    {{- "Any" }}
{%- endif %}
{%- endmacro %}
{%- for tool in tools %}
    {{- tool.name + "(" }}
    {%- for name, spec in tool.parameters.properties|items %}
        {{- name + ": " + json_to_python_type(spec) }}
        {%- if not loop.last %}{{- ", " }}{% endif %}
    {%- endfor %}
    {{- ")\n" }}
{%- endfor %})";
  RenderOptions o;
  o.tools = nlohmann::ordered_json::parse(
      R"([{"name": "search", "parameters": {"properties": {"query": {"type": "string"}, "limit": {"type": "integer"}, "x": {"type": "object"}}}}])");
  EXPECT_EQ(RenderOrError(t, "[]", o), "search(query: str, limit: int, x: Any)\n");
}

}  // namespace
}  // namespace hfd::chat
