#include "engine/chat/chat_template.h"

#include <exception>

#include "engine/chat/ast.h"
#include "engine/chat/interpreter.h"
#include "engine/chat/json_bridge.h"
#include "engine/chat/parser.h"
#include "engine/chat/value.h"

namespace hfd::chat {

struct ChatTemplate::Parsed {
  std::string source;
  Body body;
};

Result<ChatTemplate> ChatTemplate::Parse(std::string_view source) {
  try {
    HFD_ASSIGN_OR_RETURN(Body body, ParseTemplate(source));
    auto parsed = std::make_shared<Parsed>();
    parsed->source = std::string(source);
    parsed->body = std::move(body);
    return ChatTemplate(std::move(parsed));
  } catch (const std::exception& e) {
    return Internal(std::string("parsing the chat template failed: ") + e.what());
  }
}

const std::string& ChatTemplate::source() const { return parsed_->source; }

Result<std::string> ChatTemplate::Render(const nlohmann::ordered_json& messages,
                                         const RenderOptions& options) const {
  HFD_ASSIGN_OR_RETURN(Value v, FromJson(messages, options.limits.max_value_depth));
  return RenderValue(std::move(v), options);
}

Result<std::string> ChatTemplate::Render(const nlohmann::json& messages,
                                         const RenderOptions& options) const {
  HFD_ASSIGN_OR_RETURN(Value v, FromJson(messages, options.limits.max_value_depth));
  return RenderValue(std::move(v), options);
}

Result<std::string> ChatTemplate::RenderValue(Value messages, const RenderOptions& options) const {
  if (!messages.is_list()) return InvalidArgument("chat messages must be a JSON array");
  try {
    std::vector<std::pair<std::string, Value>> vars;
    vars.emplace_back("messages", std::move(messages));
    vars.emplace_back("add_generation_prompt", Value(options.add_generation_prompt));
    vars.emplace_back("bos_token", Value(options.bos_token));
    vars.emplace_back("eos_token", Value(options.eos_token));
    if (options.date_string) vars.emplace_back("date_string", Value(*options.date_string));
    HFD_ASSIGN_OR_RETURN(Value tools, FromJson(options.tools, options.limits.max_value_depth));
    vars.emplace_back("tools", std::move(tools));
    if (options.extra.is_object()) {
      for (auto it = options.extra.begin(); it != options.extra.end(); ++it) {
        HFD_ASSIGN_OR_RETURN(Value v, FromJson(it.value(), options.limits.max_value_depth));
        vars.emplace_back(it.key(), std::move(v));
      }
    } else if (!options.extra.is_null()) {
      return InvalidArgument("extra template variables must be a JSON object");
    }
    Interpreter interpreter(options.limits);
    return interpreter.Render(parsed_->body, std::move(vars));
  } catch (const std::bad_alloc&) {
    return OutOfMemory("out of memory while rendering the chat template");
  } catch (const std::exception& e) {
    return Internal(std::string("rendering the chat template failed: ") + e.what());
  }
}

}  // namespace hfd::chat
