// A model's chat template: Jinja source parsed once, rendered for each conversation into
// the prompt text. Supports the Jinja subset real chat templates use (see
// docs/chat-templates.md), with transformers' settings (trim_blocks, lstrip_blocks).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/chat/render_limits.h"
#include "hfd/status.h"

namespace hfd::chat {

class Value;

struct RenderOptions {
  bool add_generation_prompt = false;
  std::string bos_token;
  std::string eos_token;
  // When set, the template's `date_string` variable (Llama 3 templates otherwise call
  // strftime_now or use their own default).
  std::optional<std::string> date_string;
  // Tool schemas (a list) or null; null renders as `tools = none`, as transformers passes it.
  nlohmann::ordered_json tools;
  // More variables for the template (an object), e.g. {"enable_thinking": false}; they
  // override the ones above.
  nlohmann::ordered_json extra;
  RenderLimits limits;
};

// Immutable after Parse; copies share the parsed tree. Render is const and may run on any
// number of threads at once.
class ChatTemplate {
 public:
  // Parses template source; a syntax error names its line and column.
  static Result<ChatTemplate> Parse(std::string_view source);

  // Renders `messages` (a list of {role, content, ...}). Pass ordered_json to keep the
  // caller's key order in `tojson` output; nlohmann::json objects iterate sorted by key.
  // Errors: template runtime errors (with position), raise_exception() messages as they
  // were raised, and limits exceeded (kTooLarge).
  Result<std::string> Render(const nlohmann::ordered_json& messages,
                             const RenderOptions& options) const;
  Result<std::string> Render(const nlohmann::json& messages, const RenderOptions& options) const;

  const std::string& source() const;

 private:
  struct Parsed;
  explicit ChatTemplate(std::shared_ptr<const Parsed> parsed) : parsed_(std::move(parsed)) {}
  Result<std::string> RenderValue(Value messages, const RenderOptions& options) const;

  std::shared_ptr<const Parsed> parsed_;
};

}  // namespace hfd::chat
