// Fuzzes the template engine end to end: arbitrary bytes are parsed as a template and, if
// they parse, rendered for a small conversation under tight limits. Any crash, leak,
// sanitizer report or hang is a bug; errors are expected and fine.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/chat/chat_template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const nlohmann::ordered_json* messages =
      new nlohmann::ordered_json(nlohmann::ordered_json::parse(R"([
        {"role": "system", "content": "sys"},
        {"role": "user", "content": " Hi\n<think>x</think>"},
        {"role": "assistant", "content": "ok", "tool_calls": [{"type": "function",
          "function": {"name": "f", "arguments": {"a": [1, 2.5, null, true]}}}]},
        {"role": "tool", "content": "42"}])"));
  auto tmpl =
      hfd::chat::ChatTemplate::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!tmpl.ok()) return 0;
  hfd::chat::RenderOptions options;
  options.add_generation_prompt = size % 2 == 0;
  options.bos_token = "<s>";
  options.eos_token = "</s>";
  options.tools = nlohmann::ordered_json::parse(
      R"([{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}])");
  options.limits.max_steps = 200000;
  options.limits.max_output_bytes = 1 << 16;
  (void)tmpl->Render(*messages, options);
  return 0;
}
