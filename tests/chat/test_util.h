// Helpers for chat template tests: parse-and-render in one call.
#pragma once

#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/chat/chat_template.h"

namespace hfd::chat::testing {

// Renders `source` with `messages` (JSON text) and the given options; the error Status
// message is returned prefixed with "ERROR: " so tests can compare either outcome.
inline std::string RenderOrError(std::string_view source, std::string_view messages_json = "[]",
                                 RenderOptions options = {}) {
  auto tmpl = ChatTemplate::Parse(source);
  if (!tmpl.ok()) return "ERROR: " + tmpl.status().message();
  auto messages = nlohmann::ordered_json::parse(messages_json);
  auto out = tmpl->Render(messages, options);
  if (!out.ok()) return "ERROR: " + out.status().message();
  return *out;
}

// Renders a template that takes no messages and must succeed.
inline std::string R(std::string_view source) {
  std::string out = RenderOrError(source);
  EXPECT_EQ(out.rfind("ERROR: ", 0), std::string::npos) << source << "\n" << out;
  return out;
}

}  // namespace hfd::chat::testing
